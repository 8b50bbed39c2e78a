#if canImport(Glibc)
import Glibc
#endif

/// Thin, checked wrappers over the Unix-domain socket calls both the server and the
/// `call --socket` client need.
public enum UnixSocket {
    /// A socket call failed; `message` says which and why, for people.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let message: String
        public let errorNumber: Int32
        public var description: String { message }
    }

    /// The identity of the process on the other end of a connected socket.
    public struct PeerCredentials: Sendable, Equatable {
        public var pid: pid_t
        public var uid: uid_t
        public var gid: gid_t
    }

    static func failure(_ what: String) -> Failure {
        let code = errno
        return Failure(message: "\(what): \(String(cString: strerror(code)))", errorNumber: code)
    }

    /// A new stream socket, close-on-exec.
    static func makeSocket() throws(Failure) -> Int32 {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket()") }
        return fd
    }

    /// Runs `body` with `path` as a `sockaddr_un`.
    static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) throws(Failure) -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty, bytes.count < capacity else {
            throw Failure(message: "socket path must be 1 to \(capacity - 1) bytes long, got \(bytes.count): \(path)",
                          errorNumber: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// Connects to the socket at `path` and returns the connected descriptor.
    public static func connect(path: String) throws(Failure) -> Int32 {
        let fd = try makeSocket()
        let result = try withAddress(path) { Glibc.connect(fd, $0, $1) }
        guard result == 0 else {
            let error = failure("cannot connect to \(path)")
            Glibc.close(fd)
            throw error
        }
        return fd
    }

    /// Who is on the other end of `fd` (Linux `SO_PEERCRED`).
    public static func peerCredentials(of fd: Int32) throws(Failure) -> PeerCredentials {
        // `struct ucred` is hidden behind _GNU_SOURCE; this has the same layout (pid, uid, gid).
        var credentials = PeerCredentials(pid: 0, uid: 0, gid: 0)
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0 else {
            throw failure("getsockopt(SO_PEERCRED)")
        }
        return credentials
    }
}
