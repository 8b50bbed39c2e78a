/// A JSON-RPC error object: code, a message for people, and optional structured data.
///
/// Handlers throw it to answer with a specific error; any other error thrown by a handler
/// becomes `internalError`, or `requestCancelled` if the request was cancelled.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: ErrorCode
    public var message: String
    public var data: JSONValue?

    public init(code: ErrorCode, message: String, data: JSONValue? = nil) {
        self.code = code
        self.message = message
        self.data = data
    }

    /// The wire form `{"code":…,"message":…,"data":…}`.
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["code": .int(code.rawValue), "message": .string(message)]
        if let data { members["data"] = data }
        return .object(members)
    }

    public var description: String { "\(code.rawValue) \(message)" }

    public static func parseError(_ error: JSONParseError) -> RPCError {
        RPCError(code: .parseError, message: "Parse error: \(error.detail) at byte \(error.offset)",
                 data: ["offset": .int(error.offset), "detail": .string(error.detail)])
    }

    public static func invalidRequest(_ reason: String, data: JSONValue? = nil) -> RPCError {
        RPCError(code: .invalidRequest, message: "Invalid Request: \(reason)", data: data ?? ["reason": .string(reason)])
    }

    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: .methodNotFound, message: "Method not found: '\(method)'", data: ["method": .string(method)])
    }

    /// An invalid-params error naming the param (dotted path) and why it is wrong.
    public static func invalidParams(param: String?, reason: String) -> RPCError {
        let message = param.map { "Invalid params: '\($0)' \(reason)" } ?? "Invalid params: \(reason)"
        var data: [String: JSONValue] = ["reason": .string(reason)]
        if let param { data["param"] = .string(param) }
        return RPCError(code: .invalidParams, message: message, data: .object(data))
    }

    public static func internalError(_ detail: String) -> RPCError {
        RPCError(code: .internalError, message: "Internal error: \(detail)", data: ["detail": .string(detail)])
    }

    public static let requestCancelled = RPCError(code: .requestCancelled, message: "request cancelled")

    public static let shuttingDown = RPCError(
        code: .shuttingDown,
        message: "the agent is shutting down and accepts no new requests")
}
