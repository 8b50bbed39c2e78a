import JSONRPC

/// `ping`: answers an empty object at once; a liveness check (MCP's shape).
public enum Ping: RPCMethod {
    public static let name = "ping"
    public typealias Params = NoParams
    public typealias Result = EmptyObject
}
