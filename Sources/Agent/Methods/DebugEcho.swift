import JSONRPC

/// `debug.echo`: answers its params exactly as sent; for testing round trips of any JSON.
public enum DebugEcho {
    public static let name = "debug.echo"

    static func run(_ params: JSONValue?) throws -> JSONValue {
        switch params {
        case nil: return .object([:])
        case .object?: return params!
        case let other?:
            throw RPCError.invalidParams(param: nil, reason: "params must be an object of named params, not \(other.typeDescription)")
        }
    }
}
