#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Where log lines go: standard error, one whole line per `write(2)`, never stdout.
///
/// One process-wide sink holds the threshold so every `Logger` agrees on it.
/// - Important: lines are written with a single `write(2)` under a lock, so concurrent
///   loggers never interleave within a line. Logging never blocks the agent: when stderr is a
///   pipe nobody drains (an embedding editor that ignores it), lines are dropped and counted,
///   and the next line that gets through says how many were lost.
public final class LogSink: Sendable {
    private struct State {
        var level: LogLevel
        var dropped = 0
    }

    /// The process-wide sink used by loggers that are not given one.
    public static let standardError = LogSink(fileDescriptor: 2)

    private let fileDescriptor: Int32
    private let state: Mutex<State>

    /// Creates a sink writing to `fileDescriptor` at `level`.
    public init(fileDescriptor: Int32, level: LogLevel = .info) {
        self.fileDescriptor = fileDescriptor
        self.state = Mutex(State(level: level))
    }

    /// The lowest level that is printed.
    public var level: LogLevel {
        get { state.withLock { $0.level } }
        set { state.withLock { $0.level = newValue } }
    }

    /// Writes one formatted line if `level` passes the threshold.
    func emit(_ level: LogLevel, label: String, message: String) {
        let line = "\(Self.timestamp()) \(level) [\(label)] \(message)\n"
        state.withLock { state in
            guard level >= state.level, state.level != .off else { return }
            guard isWritable() else {
                state.dropped += 1
                return
            }
            var text = line
            if state.dropped > 0 {
                text = "\(Self.timestamp()) warning [log] \(state.dropped) log line(s) dropped: stderr was not being read\n" + line
                state.dropped = 0
            }
            FileDescriptorIO.writeAll(Array(text.utf8), to: fileDescriptor)
        }
    }

    /// Whether a write would not block (a pipe with room, a terminal, a file).
    private func isWritable() -> Bool {
        var request = pollfd(fd: fileDescriptor, events: Int16(POLLOUT), revents: 0)
        return poll(&request, 1, 0) == 1 && request.revents & Int16(POLLOUT) != 0
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = Int(now.tv_nsec / 1_000_000)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis), 3))Z"
    }
}
