/// One member of what a peer sent, classified by the JSON-RPC 2.0 rules.
///
/// A request with `"id": null` is a request (answered with id null) but cannot be cancelled.
public enum IncomingMessage: Sendable, Equatable {
    /// A call to answer; `id` is nil when the peer sent `"id": null`.
    case request(id: RequestID?, method: String, params: JSONValue?)
    /// A call never answered.
    case notification(method: String, params: JSONValue?)
    /// Not a valid request object: answer this error with the id when one could be read.
    case invalid(id: RequestID?, error: RPCError)

    /// Classifies one JSON value (a whole message, or one member of a batch).
    public init(_ value: JSONValue) {
        guard case .object(let members) = value else {
            self = .invalid(id: nil, error: .invalidRequest("expected a request object, got \(value.typeDescription)"))
            return
        }
        var id: RequestID?
        let hasID = members["id"] != nil
        if let rawID = members["id"] {
            if rawID != .null {
                guard let parsed = RequestID(rawID) else {
                    self = .invalid(id: nil, error: .invalidRequest("'id' must be a string, a number or null, not \(rawID.typeDescription)"))
                    return
                }
                id = parsed
            }
        }
        guard members["jsonrpc"] == .string("2.0") else {
            let reason = members["jsonrpc"] == nil ? "missing 'jsonrpc': \"2.0\"" : "'jsonrpc' must be exactly \"2.0\""
            self = .invalid(id: id, error: .invalidRequest(reason))
            return
        }
        guard let methodValue = members["method"] else {
            self = .invalid(id: id, error: .invalidRequest("missing 'method'"))
            return
        }
        guard case .string(let method) = methodValue else {
            self = .invalid(id: id, error: .invalidRequest("'method' must be a string, not \(methodValue.typeDescription)"))
            return
        }
        let params = members["params"]
        if let params {
            switch params {
            case .object, .array: break
            default:
                self = .invalid(id: id, error: .invalidRequest("'params' must be an object or an array, not \(params.typeDescription)"))
                return
            }
        }
        self = hasID ? .request(id: id, method: method, params: params) : .notification(method: method, params: params)
    }
}
