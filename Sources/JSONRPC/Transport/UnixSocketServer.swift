#if canImport(Glibc)
import Glibc
#endif
import Diagnostics
import Foundation
import Synchronization

/// Listens on a Unix-domain socket that only its owner can use, and hands each accepted
/// connection from the same user (or root) to a callback.
///
/// The socket file is created mode 0600 in a directory created 0700 if missing; a live agent
/// already answering on the path is refused, a stale socket file is replaced, and the file is
/// removed again by `stop()` (only if it is still ours).
/// - Important: an exclusive `flock` on `PATH.lock`, held while serving, decides which of two
///   agents starting at once gets the path; probing the socket alone cannot, since a socket
///   that is bound but not yet listening refuses connections just like a stale one.
public final class UnixSocketServer: Sendable {
    private struct State {
        var listener: Int32 = -1
        var identity: (device: UInt, inode: UInt)?
        var lock: Int32 = -1
        var stopped = false
    }

    public let path: String
    private let logger: Logger
    private let state = Mutex(State())
    private let acceptDone = DispatchSemaphore(value: 0)

    public init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// The default socket path: `$XDG_RUNTIME_DIR/cloud-agent/agent.sock`, else
    /// `/tmp/cloud-agent-$UID/agent.sock`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return "\(runtime)/cloud-agent/agent.sock"
        }
        return "/tmp/cloud-agent-\(getuid())/agent.sock"
    }

    /// Prepares the directory, checks for a live or stale socket, binds and listens.
    public func listen(backlog: Int32 = 128) throws(UnixSocket.Failure) {
        try prepareDirectory()
        let lock = try acquireLock()
        do {
            try clearStaleSocket()
        } catch {
            Glibc.close(lock)
            throw error
        }
        state.withLock { $0.lock = lock }
        let fd = try UnixSocket.makeSocket()
        let previousMask = umask(0o177)
        let bound = try UnixSocket.withAddress(path) { Glibc.bind(fd, $0, $1) }
        umask(previousMask)
        guard bound == 0 else {
            let error = UnixSocket.failure("cannot bind \(path)")
            Glibc.close(fd)
            throw error
        }
        chmod(path, 0o600)
        guard Glibc.listen(fd, backlog) == 0 else {
            let error = UnixSocket.failure("cannot listen on \(path)")
            Glibc.close(fd)
            unlink(path)
            throw error
        }
        var info = stat()
        let identity: (UInt, UInt)? = stat(path, &info) == 0 ? (UInt(info.st_dev), UInt(info.st_ino)) : nil
        state.withLock { state in
            state.listener = fd
            state.identity = identity
        }
        logger.info("listening on \(path)")
    }

    /// Accepts connections until `stop()`, on a thread of its own; `onConnection` gets each
    /// accepted descriptor whose peer passed the same-user check, and owns it from then on.
    public func startAccepting(onConnection: @escaping @Sendable (Int32, UnixSocket.PeerCredentials) -> Void) {
        DetachedThread.start { [self] in
            acceptLoop(onConnection)
            acceptDone.signal()
        }
    }

    /// Stops accepting and removes the socket file if it is still the one we created.
    public func stop() {
        let (fd, identity, lock, wasStopped) = state.withLock { state in
            let result = (state.listener, state.identity, state.lock, state.stopped)
            state.stopped = true
            return result
        }
        defer { if lock >= 0, !wasStopped { Glibc.close(lock) } }
        guard !wasStopped, fd >= 0 else { return }
        _ = Glibc.shutdown(fd, Int32(SHUT_RDWR))
        acceptDone.wait()
        Glibc.close(fd)
        var info = stat()
        if let identity, stat(path, &info) == 0, UInt(info.st_dev) == identity.device, UInt(info.st_ino) == identity.inode {
            unlink(path)
        }
        logger.info("stopped listening on \(path)")
    }

    private func acceptLoop(_ onConnection: @Sendable (Int32, UnixSocket.PeerCredentials) -> Void) {
        let fd = state.withLock { $0.listener }
        let ownUID = getuid()
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 {
                let code = errno
                if state.withLock({ $0.stopped }) { return }
                if code == EINTR || code == ECONNABORTED { continue }
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    logger.error("accept failed: \(String(cString: strerror(code))); retrying shortly")
                    usleep(100_000)
                    continue
                }
                logger.error("accept failed: \(String(cString: strerror(code)))")
                return
            }
            _ = fcntl(client, F_SETFD, FD_CLOEXEC)
            do {
                let peer = try UnixSocket.peerCredentials(of: client)
                guard peer.uid == ownUID || peer.uid == 0 else {
                    logger.warning("refused connection from uid \(peer.uid) (pid \(peer.pid)): only uid \(ownUID) or root may connect")
                    Glibc.close(client)
                    continue
                }
                onConnection(client, peer)
            } catch {
                logger.warning("refused connection: \(error)")
                Glibc.close(client)
            }
        }
    }

    private func prepareDirectory() throws(UnixSocket.Failure) {
        let directory = (path as NSString).deletingLastPathComponent
        guard !directory.isEmpty else { return }
        var info = stat()
        if stat(directory, &info) == 0 { return }
        // Create missing parents as usual, the socket's own directory private to us.
        let parent = (directory as NSString).deletingLastPathComponent
        if !parent.isEmpty, stat(parent, &info) != 0 {
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw UnixSocket.Failure(message: "cannot create \(parent): \(error.localizedDescription)", errorNumber: EIO)
            }
        }
        guard mkdir(directory, 0o700) == 0 || errno == EEXIST else {
            throw UnixSocket.failure("cannot create \(directory)")
        }
    }

    /// Takes the exclusive lock that says "an agent serves this path"; fails if another holds it.
    private func acquireLock() throws(UnixSocket.Failure) -> Int32 {
        let lockPath = path + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw UnixSocket.failure("cannot open \(lockPath)") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            Glibc.close(fd)
            if code == EWOULDBLOCK {
                throw UnixSocket.Failure(message: "another agent is already serving on \(path)", errorNumber: EADDRINUSE)
            }
            throw UnixSocket.Failure(message: "cannot lock \(lockPath): \(String(cString: strerror(code)))", errorNumber: code)
        }
        return fd
    }

    private func clearStaleSocket() throws(UnixSocket.Failure) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFSOCK else {
            throw UnixSocket.Failure(message: "\(path) exists and is not a socket; refusing to replace it", errorNumber: EEXIST)
        }
        do throws(UnixSocket.Failure) {
            let fd = try UnixSocket.connect(path: path)
            Glibc.close(fd)
            throw UnixSocket.Failure(message: "another agent is already serving on \(path)", errorNumber: EADDRINUSE)
        } catch where error.errorNumber == ECONNREFUSED {
            logger.info("removing stale socket \(path)")
            unlink(path)
        }
    }
}
