#if canImport(Glibc)
import Glibc
#endif
import Diagnostics
import Foundation
import JSONRPC
import Synchronization

/// The built `cloud-agent` binary running as a child process, for end-to-end tests.
///
/// `serve` over stdio gets a `LineConnection` on its pipes; stderr is collected for assertions
/// about logs. The process is killed when the object is released, so a failing test leaves
/// nothing behind.
public final class AgentProcess: Sendable {
    public let process: ChildProcess
    /// The stdio conversation.
    public let connection: LineConnection
    private let stderrCapture = StderrCapture()

    /// The binary under test: `$CLOUD_AGENT_BIN`, else `cloud-agent` next to the test bundle.
    public static var binaryPath: String {
        if let path = ProcessInfo.processInfo.environment["CLOUD_AGENT_BIN"], !path.isEmpty { return path }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("cloud-agent").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return FileManager.default.currentDirectoryPath + "/.build/debug/cloud-agent"
    }

    /// Starts `cloud-agent` with `arguments` (default: `serve`). With `drainingStderr: false`
    /// nobody reads the agent's stderr, like an embedding program that ignores it.
    public init(_ arguments: [String] = ["serve"], environment: [String: String] = [:],
                drainingStderr: Bool = true) throws {
        process = try ChildProcess.spawn([Self.binaryPath] + arguments,
                                         environment: Self.environment(environment, defaultLogLevel: "debug"))
        connection = LineConnection(readFD: process.stdoutFD, writeFD: process.stdinFD)
        // The thread holds only the capture, not `self`, so releasing the AgentProcess kills the agent.
        let capture = stderrCapture
        let errorFD = process.stderrFD
        guard drainingStderr else { return }
        DetachedThread.start {
            defer { Glibc.close(errorFD) }
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(errorFD, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                capture.append(buffer[0..<count])
            }
            capture.finish()
        }
    }

    deinit {
        if let directory = ProcessInfo.processInfo.environment["CLOUD_AGENT_TEST_LOG_DIR"] {
            _ = FileManager.default.createFile(atPath: "\(directory)/agent-\(process.processIdentifier).log",
                                           contents: Data(stderr.utf8))
        }
        process.send(SIGKILL)
    }

    /// The agent's environment: the test's, with the log level set and, unless `overrides`
    /// name them, fresh `XDG_STATE_HOME` and `XDG_CONFIG_HOME` directories, so an agent never
    /// touches the user's real state or config.
    private static func environment(_ overrides: [String: String], defaultLogLevel: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["CLOUD_AGENT_LOG"] = environment["CLOUD_AGENT_TEST_LOG"] ?? defaultLogLevel
        let isolated = isolatedHome()
        environment["XDG_STATE_HOME"] = isolated["XDG_STATE_HOME"]
        environment["XDG_CONFIG_HOME"] = isolated["XDG_CONFIG_HOME"]
        for (key, value) in overrides { environment[key] = value }
        return environment
    }

    /// `XDG_STATE_HOME` and `XDG_CONFIG_HOME` under a new empty directory; pass the same
    /// result to several agents to let them share state (e.g. across a restart).
    public static func isolatedHome() -> [String: String] {
        let directory = "\(NSTemporaryDirectory())/cloud-agent-tests/\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return ["XDG_STATE_HOME": "\(directory)/state", "XDG_CONFIG_HOME": "\(directory)/config"]
    }

    /// Everything the agent has written to stderr so far.
    public var stderr: String { stderrCapture.text }

    /// Waits until the agent's stderr contains `text` (a log line it prints on an event).
    public func waitForLog(_ text: String, timeout: Double = 20) async throws {
        _ = try await waitForLog(anyOf: [text], timeout: timeout)
    }

    /// Waits until the agent's stderr contains one of `texts`, and returns which.
    public func waitForLog(anyOf texts: [String], timeout: Double = 20) async throws -> String {
        let deadline = DispatchTime.now() + timeout
        let capture = stderrCapture
        let found = await onOwnThread { capture.waitFor(anyOf: texts, deadline: deadline) }
        guard let found else { throw LineInbox.Failure.logLineMissing(texts.joined(separator: "' or '"), stderr: stderr) }
        return found
    }

    /// Sends a signal to the agent.
    public func signal(_ number: Int32) { process.send(number) }

    /// Waits for the process to exit and returns its status; kills it after `timeout` seconds.
    public func waitForExit(timeout: Double = 20) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        let process = self.process
        let exited = await onOwnThread {
            while process.isRunning, Date() < deadline { usleep(2_000) }
            return !process.isRunning
        }
        guard exited else {
            process.send(SIGKILL)
            throw LineInbox.Failure.timedOut(seconds: timeout)
        }
        stderrCapture.waitForEnd(deadline: .now() + 5)
        return process.waitUntilExit()
    }

    /// Runs `cloud-agent ARGS` to completion, feeding `input`; returns status, stdout and stderr.
    public static func run(_ arguments: [String], input: String = "", environment: [String: String] = [:],
                           prefix: [String] = [], executableOverride: String? = nil,
                           timeout: Double = 30) async throws -> (status: Int32, stdout: String, stderr: String) {
        let child = try ChildProcess.spawn(prefix + [executableOverride ?? binaryPath] + arguments,
                                           environment: Self.environment(environment, defaultLogLevel: "info"))
        let result: (Int32, [UInt8], [UInt8])? = await onOwnThread {
            DetachedThread.start {
                _ = FileDescriptorIO.writeAll(Array(input.utf8), to: child.stdinFD)
                Glibc.close(child.stdinFD)
            }
            let output = Mutex<[UInt8]>([]), errors = Mutex<[UInt8]>([])
            let drained = DispatchSemaphore(value: 0)
            for (fd, sink) in [(child.stdoutFD, 0), (child.stderrFD, 1)] {
                DetachedThread.start {
                    let data = readToEnd(fd)
                    Glibc.close(fd)
                    if sink == 0 { output.withLock { $0 = data } } else { errors.withLock { $0 = data } }
                    drained.signal()
                }
            }
            let deadline = DispatchTime.now() + timeout
            guard drained.wait(timeout: deadline) == .success, drained.wait(timeout: deadline) == .success else {
                child.send(SIGKILL)
                return nil
            }
            return (child.waitUntilExit(), output.withLock { $0 }, errors.withLock { $0 })
        }
        guard let result else { throw LineInbox.Failure.timedOut(seconds: timeout) }
        return (result.0, String(decoding: result.1, as: UTF8.self), String(decoding: result.2, as: UTF8.self))
    }
}

/// Reads `fd` until end of file.
func readToEnd(_ fd: Int32) -> [UInt8] {
    var data: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 << 10)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        if count <= 0 { return data }
        data.append(contentsOf: buffer[0..<count])
    }
}

/// What an agent writes to stderr, collected by a reader thread and waited on by tests.
final class StderrCapture: Sendable {
    private struct State {
        var data: [UInt8] = []
        var ended = false
    }

    private let state = Mutex(State())
    private let arrived = DispatchSemaphore(value: 0)

    var text: String { state.withLock { String(decoding: $0.data, as: UTF8.self) } }

    func append(_ bytes: ArraySlice<UInt8>) {
        state.withLock { $0.data.append(contentsOf: bytes) }
        arrived.signal()
    }

    func finish() {
        state.withLock { $0.ended = true }
        arrived.signal()
    }

    /// Blocks until one of `texts` has been written (returning it), or the stream ended or the
    /// deadline passed (nil).
    func waitFor(anyOf texts: [String], deadline: DispatchTime) -> String? {
        while true {
            let (written, ended) = state.withLock { (String(decoding: $0.data, as: UTF8.self), $0.ended) }
            if let found = texts.first(where: written.contains) { return found }
            if ended || arrived.wait(timeout: deadline) == .timedOut {
                let final = self.text
                return texts.first(where: final.contains)
            }
        }
    }

    /// Blocks until the stream ended or the deadline passed.
    func waitForEnd(deadline: DispatchTime) {
        while !state.withLock({ $0.ended }) {
            if arrived.wait(timeout: deadline) == .timedOut { return }
        }
    }
}
