import CloudCore
import Diagnostics
import Foundation

/// Sends Azure Resource Manager calls: a bearer token and `api-version` on each, JSON in and
/// out, ARM's error bodies mapped, and the one retry loop (429 and 5xx retried with backoff
/// honouring `Retry-After`, broken connections too; a token ARM calls invalid or expired
/// refreshed once and the call sent again). A mutation's long-running operation is handed
/// back as an `ARMOperationReference`.
struct ARMClient: Sendable {
    /// What a call is about, for not-found and conflict errors.
    struct Subject: Sendable {
        var resourceType: String
        var name: String
    }

    /// A decoded answer and the long-running operation it started, if any.
    struct Answer<Value: Sendable>: Sendable {
        var value: Value
        var status: Int
        var operation: ARMOperationReference?
    }

    let transport: any HTTPTransport
    let tokens: any AzureAccessTokenSource
    let endpoints: AzureEndpoints
    let retry: RetryPolicy
    let logger: Logger

    /// An empty JSON body, for calls that take none.
    struct Empty: Codable, Sendable {}

    /// Sends `method` to `path` with `body` as JSON and decodes the answer (an empty body
    /// decodes as `{}`).
    func send<Response: Decodable & Sendable>(_ method: String, _ path: String, apiVersion: String, query: [(String, String)] = [],
                                              body: (some Encodable)? = Optional<Empty>.none, subject: Subject) async throws -> Answer<Response> {
        try await send(method, endpoints.url(path, apiVersion: apiVersion, query: query), body: body, subject: subject)
    }

    /// As above, for an absolute URL ARM gave (a `nextLink`), which must be on the ARM endpoint.
    func send<Response: Decodable & Sendable>(_ method: String, _ url: URL, body: (some Encodable)? = Optional<Empty>.none,
                                              subject: Subject) async throws -> Answer<Response> {
        var bytes: [UInt8] = []
        if let body {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            bytes = Array(try encoder.encode(body))
        }
        let response = try await exchange(method, url, body: bytes, subject: subject)
        return Answer(value: try decode(Response.self, response, label: "\(method) \(url.path)"), status: response.status,
                      operation: ARMOperationReference(response, endpoints: endpoints))
    }

    /// Sends raw JSON bytes and answers the raw response (for read-modify-write of whole resources).
    func sendRaw(_ method: String, _ path: String, apiVersion: String, body: [UInt8], subject: Subject) async throws -> HTTPResponse {
        try await exchange(method, endpoints.url(path, apiVersion: apiVersion), body: body, subject: subject)
    }

    func decode<Response: Decodable>(_ type: Response.Type, _ response: HTTPResponse, label: String) throws -> Response {
        do {
            return try JSONDecoder().decode(Response.self, from: Data(response.body.isEmpty ? Array("{}".utf8) : response.body))
        } catch {
            throw CloudProviderError.providerError(ProviderFailure(
                httpStatus: response.status, code: "MalformedResponse",
                message: "Azure answered \(label) with a body that is not the documented shape: \(error)",
                requestID: response.header("x-ms-request-id")))
        }
    }

    /// One call with the retry loop; answers only successful responses.
    /// - Parameter outcome: the call reads an operation's `Location`, where a 4xx (other than
    ///   401, 408 and 429) is how the operation ended: it is thrown as a provider error that
    ///   keeps ARM's code and message, not as what the status means for a resource.
    func exchange(_ method: String, _ url: URL, body: [UInt8], subject: Subject, outcome: Bool = false) async throws -> HTTPResponse {
        guard endpoints.owns(url) else {
            throw CloudProviderError.providerError(ProviderFailure(
                code: "MalformedResponse", message: "Azure pointed to \(url.host ?? "?"), which is not the ARM endpoint \(endpoints.resourceManager.absoluteString); not following it"))
        }
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if !body.isEmpty || method == "PUT" || method == "PATCH" { headers.append(("Content-Type", "application/json")) }
        let tokens = self.tokens
        return try await BearerTokenExchange(service: "ARM", transport: transport, retry: retry, logger: logger).send(
            method, url, headers: headers, body: body, token: { try await tokens.token().value }, invalidate: { await tokens.invalidate() },
            failure: { response in
                let parsed = ARMErrorMapping.failure(response)
                let error: CloudProviderError = outcome && (400..<500).contains(parsed.httpStatus) && ![401, 408, 429].contains(parsed.httpStatus)
                    ? .providerError(ProviderFailure(httpStatus: parsed.httpStatus, code: parsed.code, message: parsed.message,
                                                     requestID: parsed.requestID, retryable: false))
                    : ARMErrorMapping.error(parsed, resourceType: subject.resourceType, name: subject.name)
                return .init(error: error, code: "\(parsed.code), request \(parsed.requestID ?? "-")")
            })
    }
}
