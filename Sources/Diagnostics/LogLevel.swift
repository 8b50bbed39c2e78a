/// How much the agent says on stderr, from silent to everything.
///
/// Levels are ordered: a logger configured at `.info` prints `.info`, `.warning`
/// and `.error` lines and drops `.debug` and `.trace`.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case trace = 0
    case debug
    case info
    case warning
    case error
    case off

    /// Parses a level name as given to `--log-level` or `CLOUD_AGENT_LOG` (case-insensitive;
    /// `warn` is accepted for `warning`, `none` and `quiet` for `off`).
    public init?(name: String) {
        switch name.lowercased() {
        case "trace": self = .trace
        case "debug": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error": self = .error
        case "off", "none", "quiet": self = .off
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .warning: "warning"
        case .error: "error"
        case .off: "off"
        }
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}
