#if canImport(Glibc)
import Glibc
#endif
import Diagnostics
import Foundation

/// A logger whose lines a test reads back, to see what was logged and that no secret was.
public final class CapturedLog: Sendable {
    public let path: String
    public let logger: Logger

    /// Logs at `trace` to a new file in `directory`.
    public init(directory: String, label: String = "test") {
        path = "\(directory)/log-\(UUID().uuidString)"
        let descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        logger = Logger(label: label, sink: LogSink(fileDescriptor: descriptor, level: .trace))
    }

    // The descriptor is never closed: a logger (held by a credential chain, or by work it
    // started) may still write after the test ends, and a closed number is soon reused by
    // another test's socket or pipe, whose peer would then read log lines. One small file per
    // test is cheap.

    /// Everything logged so far.
    public var text: String { FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? "" }
}
