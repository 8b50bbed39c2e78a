/// The methods a server answers, by wire name, and the one place a request becomes a response.
///
/// Built once at start-up, then shared read-only by every session.
public struct MethodTable: Sendable {
    /// A handler on loosely typed params.
    public typealias Handler = @Sendable (JSONValue?, RequestContext) async throws -> JSONValue
    /// Turns a handler's domain error into a wire error; nil means "not mine" (internal error).
    public typealias ErrorTranslator = @Sendable (any Error) -> RPCError?

    private var handlers: [String: Handler] = [:]
    /// Names registered more than once (a programming error a test checks for).
    public private(set) var duplicateNames: [String] = []
    private var errorTranslator: ErrorTranslator?

    public init(errorTranslator: ErrorTranslator? = nil) {
        self.errorTranslator = errorTranslator
    }

    /// Every registered method name, sorted.
    public var methodNames: [String] { handlers.keys.sorted() }

    public func contains(_ name: String) -> Bool { handlers[name] != nil }

    /// Registers a handler on raw params.
    public mutating func register(_ name: String, handler: @escaping Handler) {
        if handlers[name] != nil { duplicateNames.append(name) }
        handlers[name] = handler
    }

    /// Registers a typed method: params are decoded (answering -32602 with the param and the
    /// reason when they do not fit) and the result is encoded.
    public mutating func register<Method: RPCMethod>(
        _ method: Method.Type,
        handler: @escaping @Sendable (Method.Params, RequestContext) async throws -> Method.Result
    ) {
        register(Method.name) { params, context in
            let decoded = try ParamsDecoder.decode(Method.Params.self, from: params)
            let result = try await handler(decoded, context)
            // Results that already are JSON skip the Codable round trip (hot methods like `ping`).
            if let value = result as? any JSONValueConvertible { return value.jsonValue }
            return try JSONValue(encoding: result)
        }
    }

    /// Runs `method` and produces its response; never throws.
    ///
    /// Cancellation (by `$/cancelRequest` or the session ending) answers `requestCancelled`
    /// when the handler fails because of it.
    public func respond(id: RequestID?, method: String, params: JSONValue?, context: RequestContext) async -> OutgoingMessage {
        guard let handler = handlers[method] else {
            return .error(id: id, error: .methodNotFound(method))
        }
        do {
            let result = try await handler(params, context)
            context.progress.finishIfBegun("done")
            return .result(id: id, result: result)
        } catch {
            let rpcError = translate(error)
            context.progress.finishIfBegun(rpcError.code == .requestCancelled ? "cancelled" : "failed")
            return .error(id: id, error: rpcError)
        }
    }

    /// Runs `method` for another method that serves it under its own name (an MCP
    /// `tools/call`): answers its result, or throws its error as a wire error.
    public func invoke(_ method: String, params: JSONValue?, context: RequestContext) async throws(RPCError) -> JSONValue {
        guard let handler = handlers[method] else { throw .methodNotFound(method) }
        do {
            return try await handler(params, context)
        } catch {
            throw translate(error)
        }
    }

    /// A handler's error as a wire error: its own `RPCError`, else the translator's, else
    /// cancellation if the request was cancelled, else an internal error.
    private func translate(_ error: any Error) -> RPCError {
        if let error = error as? RPCError { return error }
        if let translated = errorTranslator?(error) { return translated }
        if Task.isCancelled || error is CancellationError { return .requestCancelled }
        return .internalError(String(describing: type(of: error)))
    }
}
