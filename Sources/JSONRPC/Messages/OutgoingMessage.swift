/// Something the agent sends: a response (result or error) or a notification.
public enum OutgoingMessage: Sendable, Equatable {
    case result(id: RequestID?, result: JSONValue)
    case error(id: RequestID?, error: RPCError)
    case notification(method: String, params: JSONValue)

    /// The id this message answers, if it is a response.
    public var responseID: RequestID? {
        switch self {
        case .result(let id, _), .error(let id, _): id
        case .notification: nil
        }
    }

    /// The compact JSON bytes, without a line terminator.
    public var bytes: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        append(to: &output)
        return output
    }

    /// Appends the compact JSON (envelope fields in spec order) to `output`.
    public func append(to output: inout [UInt8]) {
        output.append(contentsOf: #"{"jsonrpc":"2.0","#.utf8)
        switch self {
        case .result(let id, let result):
            Self.appendID(id, to: &output)
            output.append(contentsOf: #","result":"#.utf8)
            JSONSerializer.append(result, to: &output)
        case .error(let id, let error):
            Self.appendID(id, to: &output)
            output.append(contentsOf: #","error":"#.utf8)
            JSONSerializer.append(error.jsonValue, to: &output)
        case .notification(let method, let params):
            output.append(contentsOf: #""method":"#.utf8)
            JSONSerializer.appendString(method, to: &output)
            output.append(contentsOf: #","params":"#.utf8)
            JSONSerializer.append(params, to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    private static func appendID(_ id: RequestID?, to output: inout [UInt8]) {
        output.append(contentsOf: #""id":"#.utf8)
        JSONSerializer.append(id?.jsonValue ?? .null, to: &output)
    }
}
