#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JSONRPC
import Synchronization

/// Records every response the tests receive, with the method it answers, so the test command
/// can check each result and error against `protocol/openrpc.json`
/// (`scripts/check-protocol-log`). On only when `CLOUD_AGENT_PROTOCOL_LOG` names a directory:
/// each test process appends JSON lines `{"method", "result"|"error"}` to a file of its own.
public final class ProtocolRecorder: Sendable {
    /// The process's recorder, or nil when recording is off.
    public static let shared: ProtocolRecorder? = {
        guard let directory = ProcessInfo.processInfo.environment["CLOUD_AGENT_PROTOCOL_LOG"], !directory.isEmpty else { return nil }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let fd = open("\(directory)/swift-\(getpid()).jsonl", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        return fd >= 0 ? ProtocolRecorder(fd: fd) : nil
    }()

    /// Methods whose results are too big or free-form to be worth keeping.
    static let skipped: Set<String> = ["debug.echo"]

    // The descriptor is never closed: records may come from reader threads until the process ends.
    private let fd: Int32
    private let lock = Mutex(())

    private init(fd: Int32) { self.fd = fd }

    /// The request ids and methods in the bytes a connection sent (one JSON text per line;
    /// batches included).
    static func requests(in bytes: [UInt8]) -> [(id: JSONValue, method: String)] {
        var found: [(JSONValue, String)] = []
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard let message = try? JSONParser.parse(Array(line)) else { continue }
            for member in message.arrayValue ?? [message] {
                if let method = member["method"]?.stringValue, let id = member["id"], id != .null { found.append((id, method)) }
            }
        }
        return found
    }

    /// Records the responses in `line` to the requests `methods` names.
    func record(line: [UInt8], methods: (JSONValue) -> String?) {
        guard let message = try? JSONParser.parse(line) else { return }
        for member in message.arrayValue ?? [message] {
            guard let id = member["id"], member["method"] == nil, let method = methods(id), !Self.skipped.contains(method) else { continue }
            var record: [String: JSONValue] = ["method": .string(method)]
            if let result = member["result"] { record["result"] = result }
            if let error = member["error"] { record["error"] = error }
            let text = Array((JSONSerializer.string(.object(record)) + "\n").utf8)
            lock.withLock { _ in
                _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            }
        }
    }
}
