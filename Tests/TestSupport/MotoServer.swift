#if canImport(Glibc)
import Glibc
#endif
import Diagnostics
import Dispatch
import Foundation
import Synchronization

/// `scripts/moto-server` as a test fixture: moto with SigV4 signature checking on, an IAM
/// user whose keys it bootstrapped, roles to assume and default-VPC subnets.
///
/// Started with `--watch-stdin yes`, so the server lives exactly as long as we hold its stdin:
/// `stop()` (and `deinit`) close it, then send SIGTERM if it lingers; if the test process
/// dies, the kernel closes it for us. Its stdout is read on a thread of its own for the
/// `ready <endpoint>` line (a bounded wait), its stderr is drained (and its tail kept for
/// failure messages) so the server never blocks on a full pipe.
/// - Important: `start` blocks for seconds; call it from a thread of its own, or use
///   `shared()`, which does. One server per test process (`shared()`) is enough: tests keep
///   apart by the names and tags they create.
public final class MotoServer: Sendable {
    /// What the server wrote to its state file.
    public struct State: Sendable, Equatable, Decodable {
        /// `http://127.0.0.1:PORT`.
        public var endpoint: URL
        public var region: String
        /// The bootstrapped IAM user's keys (that user may do anything).
        public var accessKeyId: String
        public var secretAccessKey: String
        /// The user's ARN, `arn:aws:iam::ACCOUNT:user/cloud-agent-test`.
        public var userArn: String?
        public var accountId: String?
        /// A role the user may assume.
        public var roleArn: String
        /// The EKS cluster role and node role.
        public var eksRoleArn: String
        public var nodeRoleArn: String
        /// Default-VPC subnets, sorted by availability zone.
        public var subnets: [String]
    }

    /// Why the server did not start.
    public enum StartFailure: Error, Sendable, Equatable, CustomStringConvertible {
        case couldNotSpawn(String)
        case exited(status: Int32, stderr: String)
        case timedOut(seconds: Int, stderr: String)
        case unreadableState(String)

        public var description: String {
            let hint = "the test command (scripts/test) installs it: python3 -m pip install 'moto[server]'"
            switch self {
            case .couldNotSpawn(let why):
                return "scripts/moto-server could not be started (\(why)); it needs python3 and moto, which \(hint)"
            case .exited(let status, let stderr):
                let missing = status == 3 || status == 127 ? "moto (or python3) is missing; \(hint). " : ""
                return "scripts/moto-server exited with status \(status) before it was ready. \(missing)Its stderr:\n\(stderr)"
            case .timedOut(let seconds, let stderr):
                return "scripts/moto-server was not ready within \(seconds) s (killed). Its stderr:\n\(stderr)"
            case .unreadableState(let why):
                return "scripts/moto-server said it was ready, but its state file is unusable: \(why)"
            }
        }
    }

    /// The endpoint, keys and resources to test with.
    public let state: State
    /// Where the server wrote its state (mode 0600). Removed as soon as it is read: it holds a
    /// secret, and the server cannot always remove it itself (see `start`).
    public let stateFile: String
    private let process: ChildProcess
    private let stdinOpen = Mutex(true)
    private let output: Output

    /// The stdout lines and stderr tail of the server, filled by reader threads.
    private final class Output: Sendable {
        private struct Contents {
            var firstLine: String?
            var stdoutEnded = false
            var stderrEnded = false
            var stderrTail: [UInt8] = []
        }

        private let contents = Mutex(Contents())
        /// Signalled when the first stdout line arrives and when either stream ends.
        let changed = DispatchSemaphore(value: 0)

        func line(_ text: String) {
            let isFirst = contents.withLock { contents in
                guard contents.firstLine == nil else { return false }
                contents.firstLine = text
                return true
            }
            if isFirst { changed.signal() }
        }

        func stdoutEnded() {
            contents.withLock { $0.stdoutEnded = true }
            changed.signal()
        }

        func stderrEnded() {
            contents.withLock { $0.stderrEnded = true }
            changed.signal()
        }

        func stderr(_ bytes: ArraySlice<UInt8>) {
            contents.withLock { contents in
                contents.stderrTail.append(contentsOf: bytes)
                if contents.stderrTail.count > 16 << 10 { contents.stderrTail.removeFirst(contents.stderrTail.count - (16 << 10)) }
            }
        }

        var firstLine: String? { contents.withLock { $0.firstLine } }
        /// Whether stdout has ended (the server exited or is exiting).
        var hasEnded: Bool { contents.withLock { $0.stdoutEnded } }
        var stderrText: String { contents.withLock { String(decoding: $0.stderrTail, as: UTF8.self) } }

        /// Waits until both streams end (the server exited) or `deadline` passes; whether they did.
        func waitForEnd(deadline: DispatchTime) -> Bool {
            func ended() -> Bool { contents.withLock { $0.stdoutEnded && $0.stderrEnded } }
            while !ended() {
                if changed.wait(timeout: deadline) == .timedOut { return ended() }
            }
            return true
        }
    }

    private init(state: State, process: ChildProcess, stateFile: String, output: Output) {
        self.state = state
        self.process = process
        self.stateFile = stateFile
        self.output = output
    }

    deinit { stop() }

    /// The repository root, found from this file's path (`Tests/TestSupport/MotoServer.swift`).
    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Starts a server of its own and waits (blocking) until it is ready.
    public static func start(timeout: Int = 120) throws(StartFailure) -> MotoServer {
        let stateFile = NSTemporaryDirectory() + "/moto-state-\(UUID().uuidString).json"
        let script = repositoryRoot.appendingPathComponent("scripts/moto-server").path
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("AWS_") { environment[key] = nil }
        let process: ChildProcess
        do {
            process = try ChildProcess.spawn(["/usr/bin/env", "python3", script, "--state-file", stateFile, "--watch-stdin", "yes"],
                                             environment: environment)
        } catch {
            throw .couldNotSpawn("\(error)")
        }
        let output = Output()
        readLines(process.stdoutFD, into: output)
        drain(process.stderrFD, into: output)

        let deadline = DispatchTime.now() + .seconds(timeout)
        while output.firstLine == nil, !output.hasEnded {
            if output.changed.wait(timeout: deadline) == .timedOut { break }
        }
        guard let line = output.firstLine else {
            let ended = output.hasEnded
            if !ended { process.send(SIGKILL) }
            let status = shutDown(process, output: output, stateFile: stateFile)
            throw ended ? .exited(status: status, stderr: output.stderrText) : .timedOut(seconds: timeout, stderr: output.stderrText)
        }
        guard line.hasPrefix("ready ") else {
            process.send(SIGKILL)
            shutDown(process, output: output, stateFile: stateFile)
            throw .unreadableState("its first stdout line is '\(line)', not 'ready <endpoint>'")
        }
        let state: State
        do {
            state = try JSONDecoder().decode(State.self, from: Data(contentsOf: URL(fileURLWithPath: stateFile)))
            // Read once, needed no more. The server removes it only on a clean exit, and when the
            // test process ends, its last log line hits a closed stderr pipe and ends it first.
            try? FileManager.default.removeItem(atPath: stateFile)
        } catch {
            shutDown(process, output: output, stateFile: stateFile)
            throw .unreadableState("\(error)")
        }
        guard line == "ready \(state.endpoint.absoluteString)" else {
            shutDown(process, output: output, stateFile: stateFile)
            throw .unreadableState("the server announced '\(line)' but its state file names \(state.endpoint)")
        }
        return MotoServer(state: state, process: process, stateFile: stateFile, output: output)
    }

    private static let servers = Mutex<[String: Task<Result<MotoServer, StartFailure>, Never>]>([:])

    /// The server of `group`, started on first use (on a thread of its own) and left running
    /// until the test process exits. Suites that run alongside others take a group of their
    /// own: moto's server answers HTTP 500 now and then when one client lists while another
    /// deletes. A failed start is remembered, so every test that asks reports the same reason.
    public static func shared(_ group: String = "default") async throws -> MotoServer {
        let task = servers.withLock { servers in
            if let task = servers[group] { return task }
            let started = Task { await onOwnThread { Result { () throws(StartFailure) -> MotoServer in try start() } } }
            servers[group] = started
            return started
        }
        return try await task.value.get()
    }

    // The state, by name, for tests.
    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { state.endpoint.absoluteString }
    public var region: String { state.region }
    public var accessKeyId: String { state.accessKeyId }
    public var secretAccessKey: String { state.secretAccessKey }
    /// A role the bootstrapped user may assume.
    public var roleArn: String { state.roleArn }
    public var eksRoleArn: String { state.eksRoleArn }
    public var nodeRoleArn: String { state.nodeRoleArn }
    /// Default-VPC subnets, sorted by availability zone.
    public var subnets: [String] { state.subnets }

    /// Whether the server process is still running.
    public var isRunning: Bool { process.isRunning }

    /// What the server has written to stderr lately (at most the last 16 KiB).
    public var stderr: String { output.stderrText }

    /// Stops the server: closes its stdin (it exits on end of file), then SIGTERM and at last
    /// SIGKILL if it lingers, and waits for it. Idempotent; blocks for up to about 10 s.
    public func stop() {
        let wasOpen = stdinOpen.withLock { open in
            defer { open = false }
            return open
        }
        if wasOpen { Self.shutDown(process, output: output, stateFile: stateFile) }
    }

    /// Closes the server's stdin, waits for its stdout to end (SIGTERM after 5 s, SIGKILL
    /// after 10 s), reaps it and removes its state file. Returns its exit status.
    @discardableResult
    private static func shutDown(_ process: ChildProcess, output: Output, stateFile: String) -> Int32 {
        close(process.stdinFD)
        if !output.waitForEnd(deadline: .now() + .seconds(5)) {
            process.send(SIGTERM)
            if !output.waitForEnd(deadline: .now() + .seconds(5)) { process.send(SIGKILL) }
        }
        let status = process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: stateFile)
        return status
    }

    /// Reads `fd` line by line on a thread of its own until end of file, then closes it.
    private static func readLines(_ fd: Int32, into output: Output) {
        DetachedThread.start {
            defer { close(fd) }
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                pending.append(contentsOf: buffer[0..<count])
                while let newline = pending.firstIndex(of: 10) {
                    output.line(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
            }
            output.stdoutEnded()
        }
    }

    /// Drains `fd` into the stderr tail on a thread of its own until end of file, then closes it.
    private static func drain(_ fd: Int32, into output: Output) {
        DetachedThread.start {
            defer { close(fd) }
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                output.stderr(buffer[0..<count])
            }
            output.stderrEnded()
        }
    }
}
