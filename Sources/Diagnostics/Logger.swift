/// A named source of log lines (`[session 3]`, `[socket]`), cheap to copy and pass around.
///
/// Messages are built lazily, so a `.trace` line costs nothing when tracing is off.
/// - Important: never pass secrets (keys, tokens, client secrets) in a message.
public struct Logger: Sendable {
    public let label: String
    let sink: LogSink

    public init(label: String, sink: LogSink = .standardError) {
        self.label = label
        self.sink = sink
    }

    /// A logger for a sub-part of this one: `session 3` becomes `session 3/request 7`.
    public func child(_ suffix: String) -> Logger {
        Logger(label: "\(label)/\(suffix)", sink: sink)
    }

    public func isEnabled(_ level: LogLevel) -> Bool {
        let threshold = sink.level
        return threshold != .off && level >= threshold
    }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard isEnabled(level) else { return }
        sink.emit(level, label: label, message: message())
    }

    public func trace(_ message: @autoclosure () -> String) { log(.trace, message()) }
    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func warning(_ message: @autoclosure () -> String) { log(.warning, message()) }
    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
}
