import Synchronization

/// What a session learned about its peer while it runs, which changes how the session talks
/// back: a Model Context Protocol client (one whose `initialize` named an MCP revision) gets
/// `notifications/progress` for the requests that carry `_meta.progressToken`, instead of
/// `$/progress` for every request.
public final class SessionTraits: Sendable {
    private let mcp = Mutex(false)

    public init() {}

    /// Whether the peer speaks MCP.
    public var speaksMCP: Bool {
        get { mcp.withLock { $0 } }
        set { mcp.withLock { $0 = newValue } }
    }
}
