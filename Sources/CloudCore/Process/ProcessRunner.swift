#if canImport(Glibc)
import Glibc
#endif
import Diagnostics
import Foundation
import Synchronization

/// Runs a helper program to completion (`credential_process`, `gcloud`, `az`) and captures
/// its output, without blocking the caller's thread.
///
/// Spawned with `posix_spawn` (never Foundation's `Process`, whose run-loop ties close
/// descriptors other parts of the agent own); its pipes are close-on-exec, its blocking reads
/// and wait run on threads of their own; it is killed when its time is up or the caller is
/// cancelled.
public enum ProcessRunner {
    /// What the program did.
    public struct Outcome: Sendable, Equatable {
        /// The exit status, or 128 + the signal that ended it.
        public var status: Int32
        public var standardOutput: [UInt8]
        public var standardError: [UInt8]
    }

    /// Why the program could not be run to completion.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Runs `arguments[0]` (a path, or a name looked up on `PATH`) with the rest as arguments.
    /// - Parameters:
    ///   - environment: the child's whole environment (default: the agent's).
    ///   - limit: largest output kept per stream; more is an error.
    public static func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
                           timeout: Duration = .seconds(60), limit: Int = 1 << 20) async throws -> Outcome {
        guard let first = arguments.first else { throw Failure(description: "no program to run") }
        guard let executable = resolve(first, path: environment["PATH"] ?? "/usr/bin:/bin") else {
            throw Failure(description: "'\(first)' was not found on PATH")
        }
        let (pid, output, errors) = try spawn(executable: executable, arguments: arguments, environment: environment)
        let box = RunState()
        box.pid.withLock { $0 = pid }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Outcome, any Error>) in
                DetachedThread.start {
                    let stdout = Collected(), stderr = Collected()
                    let drained = DispatchSemaphore(value: 0)
                    for (fd, sink) in [(output, stdout), (errors, stderr)] {
                        DetachedThread.start {
                            let bytes = readAll(fd, limit: limit)
                            close(fd)
                            sink.bytes.withLock { $0 = bytes }
                            drained.signal()
                        }
                    }
                    let deadline = DispatchTime.now() + .nanoseconds(Int(timeout.components.seconds * 1_000_000_000
                                                                         + timeout.components.attoseconds / 1_000_000_000))
                    var timedOut = false
                    for _ in 0..<2 where drained.wait(timeout: deadline) == .timedOut {
                        timedOut = true
                        kill(pid, SIGKILL)
                        drained.wait()
                    }
                    var raw: Int32 = 0
                    while waitpid(pid, &raw, 0) < 0, errno == EINTR {}
                    box.pid.withLock { $0 = nil }
                    let signal = raw & 0x7F
                    let status = signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
                    if timedOut {
                        continuation.resume(throwing: Failure(description: "'\(first)' did not finish within \(timeout)"))
                    } else if box.cancelled.withLock({ $0 }) {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        continuation.resume(returning: Outcome(status: status, standardOutput: stdout.bytes.withLock { $0 },
                                                               standardError: stderr.bytes.withLock { $0 }))
                    }
                }
            }
        } onCancel: {
            box.cancelled.withLock { $0 = true }
            box.pid.withLock { if let pid = $0 { kill(pid, SIGKILL) } }
        }
    }

    private final class Collected: Sendable {
        let bytes = Mutex<[UInt8]>([])
    }

    private final class RunState: Sendable {
        let pid = Mutex<pid_t?>(nil)
        let cancelled = Mutex(false)
    }

    private static func spawn(executable: String, arguments: [String], environment: [String: String]) throws -> (pid_t, Int32, Int32) {
        try SpawnGate.run { () throws(Failure) -> (pid_t, Int32, Int32) in
            var input: [Int32] = [0, 0], output: [Int32] = [0, 0], errors: [Int32] = [0, 0]
            guard pipe(&input) == 0, pipe(&output) == 0, pipe(&errors) == 0 else {
                throw Failure(description: "cannot create pipes: \(String(cString: strerror(errno)))")
            }
            for fd in input + output + errors { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, input[0], 0)
            posix_spawn_file_actions_adddup2(&actions, output[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
            let argv = arguments.map { strdup($0) } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                argv.forEach { free($0) }
                envp.forEach { free($0) }
            }
            var pid = pid_t()
            let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
            // The child reads nothing: its stdin is closed at once.
            for fd in [input[0], input[1], output[1], errors[1]] { close(fd) }
            guard result == 0 else {
                close(output[0])
                close(errors[0])
                throw Failure(description: "cannot run '\(executable)': \(String(cString: strerror(result)))")
            }
            return (pid, output[0], errors[0])
        }
    }

    private static func readAll(_ fd: Int32, limit: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return bytes }
            if bytes.count < limit { bytes.append(contentsOf: buffer[0..<min(count, limit - bytes.count)]) }
        }
    }

    /// `name` itself if it contains a slash, else the first executable of that name on `path`.
    static func resolve(_ name: String, path: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
