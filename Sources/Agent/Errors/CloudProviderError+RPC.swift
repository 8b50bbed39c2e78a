import CloudCore
import JSONRPC

extension CloudProviderError {
    /// The one place a cloud failure becomes a wire error: its code, a message for people,
    /// and `data` holding the fields, with `type` naming the case.
    var rpcError: RPCError {
        switch self {
        case .notFound(let resourceType, let name):
            return RPCError(code: .notFound, message: description,
                            data: ["type": "notFound", "resourceType": .string(resourceType), "name": .string(name)])
        case .conflict(let resourceType, let name, let reason):
            return RPCError(code: .conflict, message: description,
                            data: ["type": "conflict", "resourceType": .string(resourceType), "name": .string(name), "reason": .string(reason)])
        case .invalidRequest(let field, let reason):
            var error = RPCError.invalidParams(param: field, reason: reason)
            error.data = ["type": "invalidRequest", "param": .string(field), "reason": .string(reason)]
            return error
        case .unauthenticated(let reason):
            return RPCError(code: .unauthenticated, message: description, data: ["type": "unauthenticated", "reason": .string(reason)])
        case .permissionDenied(let reason):
            return RPCError(code: .permissionDenied, message: description, data: ["type": "permissionDenied", "reason": .string(reason)])
        case .throttled(let retryAfter, let reason):
            var data: [String: JSONValue] = ["type": "throttled", "reason": .string(reason)]
            if let retryAfter { data["retryAfterSeconds"] = .double(retryAfter) }
            return RPCError(code: .throttled, message: description, data: .object(data))
        case .timeout(let failure):
            return RPCError(code: .timeout, message: description, data: failure.jsonValue(type: "timeout"))
        case .cancelled(let failure):
            return RPCError(code: .requestCancelled, message: description, data: failure.jsonValue(type: "cancelled"))
        case .unsupportedOperation(let provider, let kind, let operation, let reason):
            return RPCError(code: .unsupportedOperation, message: description,
                            data: ["type": "unsupportedOperation", "provider": .string(provider), "kind": .string(kind.rawValue),
                                   "operation": .string(operation), "reason": .string(reason)])
        case .providerError(let failure):
            var data: [String: JSONValue] = ["type": "providerError", "code": .string(failure.code), "message": .string(failure.message),
                                             "retryable": .bool(failure.retryable)]
            if let status = failure.httpStatus { data["httpStatus"] = .int(status) }
            if let id = failure.requestID { data["requestId"] = .string(id) }
            return RPCError(code: .providerError, message: description, data: .object(data))
        }
    }
}

extension WaitFailure {
    func jsonValue(type: String) -> JSONValue {
        var data: [String: JSONValue] = [
            "type": .string(type), "resourceType": .string(resourceType), "name": .string(name), "target": .string(target),
            "elapsedSeconds": .double((elapsedSeconds * 1000).rounded() / 1000), "operationContinues": true,
        ]
        if let lastStatus { data["lastStatus"] = .string(lastStatus.rawValue) }
        if let lastProviderStatus { data["lastProviderStatus"] = .string(lastProviderStatus) }
        return .object(data)
    }
}
