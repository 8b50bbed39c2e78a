/// Why a session ended, which decides a stdio agent's exit status.
public enum SessionEnd: Sendable, Equatable {
    /// The peer closed its side (EOF).
    case endOfInput
    /// The peer sent `exit`; `afterShutdown` tells whether `shutdown` came first.
    case exitNotification(afterShutdown: Bool)
    /// The peer could not be written to or read from.
    case peerGone(String)
    /// The agent is stopping (signal or server shutdown).
    case stopped

    /// The process exit status for a stdio agent that ends this way (LSP's rule for `exit`).
    public var exitStatus: Int32 {
        switch self {
        case .exitNotification(let afterShutdown): afterShutdown ? 0 : 1
        case .endOfInput, .peerGone, .stopped: 0
        }
    }
}
