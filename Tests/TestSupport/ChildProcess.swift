#if canImport(Glibc)
import Glibc
#endif
import Diagnostics
import Foundation
import Synchronization

/// A child process started with `posix_spawn`, its stdin, stdout and stderr piped to us.
///
/// Tests do not use Foundation's `Process`: on Linux it ties each child to the run loop of
/// the spawning thread, and when pool threads come and go those run loops close descriptor
/// numbers that other tests' pipes and sockets have since reused (seen here as requests and
/// replies silently vanishing under parallel load).
/// - Important: every pipe is created and marked close-on-exec under `SpawnGate`, and children
///   are spawned under it too (as the agent's own `ProcessRunner` does), so no child ever
///   inherits another's pipe ends.
public final class ChildProcess: Sendable {
    public let processIdentifier: pid_t
    /// Our ends of the child's standard streams, owned by the caller from here on.
    public let stdinFD: Int32
    public let stdoutFD: Int32
    public let stderrFD: Int32
    private let status = Mutex<Int32?>(nil)

    private init(pid: pid_t, stdinFD: Int32, stdoutFD: Int32, stderrFD: Int32) {
        processIdentifier = pid
        self.stdinFD = stdinFD
        self.stdoutFD = stdoutFD
        self.stderrFD = stderrFD
    }

    /// Starts `command[0]` with the rest of `command` as arguments and exactly `environment`.
    public static func spawn(_ command: [String], environment: [String: String]) throws -> ChildProcess {
        try SpawnGate.run { () throws -> ChildProcess in
            let input = try makePipe(), output = try makePipe(), errors = try makePipe()
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, input.read, 0)
            posix_spawn_file_actions_adddup2(&actions, output.write, 1)
            posix_spawn_file_actions_adddup2(&actions, errors.write, 2)
            let argv = command.map { strdup($0) } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                argv.forEach { free($0) }
                envp.forEach { free($0) }
            }
            var pid = pid_t()
            let result = posix_spawn(&pid, command[0], &actions, nil, argv, envp)
            for fd in [input.read, output.write, errors.write] { close(fd) }
            guard result == 0 else {
                for fd in [input.write, output.read, errors.read] { close(fd) }
                throw POSIXError(POSIXErrorCode(rawValue: result) ?? .ENOENT)
            }
            return ChildProcess(pid: pid, stdinFD: input.write, stdoutFD: output.read, stderrFD: errors.read)
        }
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EMFILE) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (fds[0], fds[1])
    }

    /// True until the child has exited (reaps it when it has).
    public var isRunning: Bool {
        status.withLock { status in
            if status != nil { return false }
            var raw: Int32 = 0
            guard waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier else { return true }
            status = Self.decode(raw)
            return false
        }
    }

    /// Blocks until the child exits; its exit status, or 128 + the signal that killed it.
    public func waitUntilExit() -> Int32 {
        if let known = status.withLock({ $0 }) { return known }
        var raw: Int32 = 0
        while waitpid(processIdentifier, &raw, 0) < 0 {
            if errno != EINTR { break }
        }
        let decoded = Self.decode(raw)
        return status.withLock { status in
            if status == nil { status = decoded }
            return status!
        }
    }

    private static func decode(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7F
        return signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
    }

    /// Sends `signal` to the child if it is still running.
    public func send(_ signal: Int32) {
        if isRunning { kill(processIdentifier, signal) }
    }
}
