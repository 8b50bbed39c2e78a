#if canImport(Glibc)
import Glibc
#endif
import Diagnostics
import Foundation
import Synchronization

/// `scripts/moto-server` (moto with SigV4 signature checking on), started once per test
/// process on first use and stopped when the process ends (the server exits when its stdin
/// closes).
///
/// - Important: starting it blocks for seconds (reading the `ready` line), so it happens on a
///   thread of its own, never on the cooperative pool the other tests run on.
public final class MotoFixture: Sendable {
    public let process: ChildProcess
    /// `http://127.0.0.1:PORT`.
    public let endpoint: String
    public let region: String
    public let accessKeyId: String
    public let secretAccessKey: String
    /// A role the bootstrapped user may assume.
    public let roleArn: String
    public let eksRoleArn: String
    public let nodeRoleArn: String
    /// Default-VPC subnets, sorted by availability zone.
    public let subnets: [String]

    private static let starting = Mutex<[String: Task<MotoFixture?, Never>]>([:])

    /// The server of `group` (one per test suite that runs alongside others: moto's server
    /// answers HTTP 500 now and then when one client lists while another deletes), started
    /// on first use; nil if it could not start (moto not installed).
    public static func shared(_ group: String = "default") async -> MotoFixture? {
        let task = starting.withLock { tasks in
            if let task = tasks[group] { return task }
            let started = Task { await onOwnThread { try? MotoFixture() } }
            tasks[group] = started
            return started
        }
        return await task.value
    }

    private init() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let stateFile = "\(NSTemporaryDirectory())/moto-\(UUID().uuidString).json"
        process = try ChildProcess.spawn(["/usr/bin/env", "python3", root.appendingPathComponent("scripts/moto-server").path,
                                          "--state-file", stateFile, "--watch-stdin", "yes"],
                                         environment: ProcessInfo.processInfo.environment)
        // Drain stderr so moto never blocks on a full pipe.
        let errors = process.stderrFD
        DetachedThread.start {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while buffer.withUnsafeMutableBytes({ read(errors, $0.baseAddress, $0.count) }) > 0 {}
            close(errors)
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count < 4096, read(process.stdoutFD, &byte, 1) == 1, byte != 10 { line.append(byte) }
        guard String(decoding: line, as: UTF8.self).hasPrefix("ready "),
              let data = FileManager.default.contents(atPath: stateFile),
              let state = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            process.send(SIGKILL)
            throw POSIXError(.ECHILD)
        }
        // The file holds a secret: it has been read, so it goes now.
        try? FileManager.default.removeItem(atPath: stateFile)
        func text(_ key: String) -> String { state[key] as? String ?? "" }
        endpoint = text("endpoint")
        region = text("region")
        accessKeyId = text("accessKeyId")
        secretAccessKey = text("secretAccessKey")
        roleArn = text("roleArn")
        eksRoleArn = text("eksRoleArn")
        nodeRoleArn = text("nodeRoleArn")
        subnets = state["subnets"] as? [String] ?? []
    }
}
