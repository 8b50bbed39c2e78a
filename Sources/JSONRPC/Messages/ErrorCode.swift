/// A JSON-RPC error code: the spec's standard codes plus this agent's own, open for more.
public struct ErrorCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }
    public init(_ rawValue: Int) { self.rawValue = rawValue }

    /// Invalid JSON was received (including invalid UTF-8 or too deep nesting).
    public static let parseError = ErrorCode(-32700)
    /// The JSON sent is not a valid request object (or the line was too long).
    public static let invalidRequest = ErrorCode(-32600)
    /// The method does not exist.
    public static let methodNotFound = ErrorCode(-32601)
    /// Invalid method parameters.
    public static let invalidParams = ErrorCode(-32602)
    /// An unexpected failure inside the agent.
    public static let internalError = ErrorCode(-32603)
    /// The request was cancelled by `$/cancelRequest` or by the session ending (as in LSP).
    public static let requestCancelled = ErrorCode(-32800)
    /// The session has received `shutdown` and accepts no new requests.
    public static let shuttingDown = ErrorCode(-32001)

    public var description: String { String(rawValue) }
}
