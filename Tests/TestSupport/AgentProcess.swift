#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JSONRPC
import Synchronization

/// The built `cloud-agent` binary running as a child process, for end-to-end tests.
///
/// `serve` over stdio gets a `LineConnection` on its pipes; stderr is collected for assertions
/// about logs. The process is killed when the object is released, so a failing test leaves
/// nothing behind.
public final class AgentProcess: Sendable {
    public let process: Process
    /// The stdio conversation (nil when stdin/stdout are not pipes to us).
    public let connection: LineConnection
    private let stderrData = Mutex(Data())
    private let stderrDone = DispatchSemaphore(value: 0)
    private let stderrArrived = DispatchSemaphore(value: 0)

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

    /// Starts `cloud-agent` with `arguments` (default: `serve`).
    public init(_ arguments: [String] = ["serve"], environment: [String: String] = [:],
                executable: String = AgentProcess.binaryPath, prefix: [String] = []) throws {
        let (process, stdin, stdout, stderr) = Self.makeProcess(arguments, environment: environment, executable: executable,
                                                               prefix: prefix, defaultLogLevel: "debug")
        try process.run()
        self.process = process
        connection = LineConnection(readFD: stdout.fileHandleForReading.fileDescriptor,
                                    writeFD: stdin.fileHandleForWriting.fileDescriptor)
        let errorFD = stderr.fileHandleForReading.fileDescriptor
        let thread = Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(errorFD, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                stderrData.withLock { $0.append(contentsOf: buffer[0..<count]) }
                stderrArrived.signal()
            }
            stderrArrived.signal()
            stderrDone.signal()
        }
        thread.start()
    }

    /// A configured, not yet started process: `prefix` (e.g. a uid-changing wrapper) runs the binary.
    private static func makeProcess(_ arguments: [String], environment: [String: String], executable: String,
                                    prefix: [String], defaultLogLevel: String) -> (Process, Pipe, Pipe, Pipe) {
        let process = Process()
        let command = prefix + [executable] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        var env = ProcessInfo.processInfo.environment
        env["CLOUD_AGENT_LOG"] = env["CLOUD_AGENT_TEST_LOG"] ?? defaultLogLevel
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        return (process, stdin, stdout, stderr)
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Everything the agent has written to stderr so far.
    public var stderr: String { stderrData.withLock { String(decoding: $0, as: UTF8.self) } }

    /// Waits until the agent's stderr contains `text` (a log line it prints on an event).
    public func waitForLog(_ text: String, timeout: Double = 20) async throws {
        let deadline = DispatchTime.now() + timeout
        let found: Bool = await withCheckedContinuation { continuation in
            DispatchQueue.global().async { [self] in
                while true {
                    if stderr.contains(text) { return continuation.resume(returning: true) }
                    if !process.isRunning && stderrDone.wait(timeout: .now()) == .success {
                        stderrDone.signal()
                        return continuation.resume(returning: stderr.contains(text))
                    }
                    if stderrArrived.wait(timeout: deadline) == .timedOut {
                        return continuation.resume(returning: stderr.contains(text))
                    }
                }
            }
        }
        if !found { throw LineInbox.Failure.timedOut(seconds: timeout) }
    }

    /// Sends a signal to the agent.
    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit and returns its status; kills it after `timeout` seconds.
    public func waitForExit(timeout: Double = 20) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        let process = self.process
        let exited: Bool = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                while process.isRunning, Date() < deadline { usleep(2_000) }
                continuation.resume(returning: !process.isRunning)
            }
        }
        guard exited else {
            kill(process.processIdentifier, SIGKILL)
            throw LineInbox.Failure.timedOut(seconds: timeout)
        }
        process.waitUntilExit()
        if stderrDone.wait(timeout: .now() + 5) == .success { stderrDone.signal() }
        return process.terminationStatus
    }

    /// Runs `cloud-agent ARGS` to completion, feeding `input`; returns status, stdout and stderr.
    public static func run(_ arguments: [String], input: String = "", environment: [String: String] = [:],
                           prefix: [String] = [], executableOverride: String? = nil,
                           timeout: Double = 30) async throws -> (status: Int32, stdout: String, stderr: String) {
        let (process, stdin, stdout, stderr) = makeProcess(arguments, environment: environment,
                                                          executable: executableOverride ?? binaryPath,
                                                          prefix: prefix, defaultLogLevel: "info")
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let result: (Int32, Data, Data)? = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let group = DispatchGroup()
                let output = Mutex(Data()), errors = Mutex(Data())
                DispatchQueue.global().async(group: group) {
                    let data = stdout.fileHandleForReading.readDataToEndOfFile()
                    output.withLock { $0 = data }
                }
                DispatchQueue.global().async(group: group) {
                    let data = stderr.fileHandleForReading.readDataToEndOfFile()
                    errors.withLock { $0 = data }
                }
                if group.wait(timeout: .now() + timeout) == .timedOut {
                    kill(process.processIdentifier, SIGKILL)
                    continuation.resume(returning: nil)
                    return
                }
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, output.withLock { $0 }, errors.withLock { $0 }))
            }
        }
        guard let result else { throw LineInbox.Failure.timedOut(seconds: timeout) }
        return (result.0, String(decoding: result.1, as: UTF8.self), String(decoding: result.2, as: UTF8.self))
    }
}
