import CloudCore
import Diagnostics
import Foundation

/// Sends Google API calls: a bearer token on each, JSON in and out, Google's error bodies
/// mapped, and the one retry loop (throttling, 5xx and broken connections retried with
/// backoff honouring `Retry-After`; a token Google calls invalid refreshed once and the call
/// sent again). Calls carry `x-goog-user-project` when the credentials name a quota project.
struct GCPClient: Sendable {
    /// What a call is about, for not-found and conflict errors.
    struct Subject: Sendable {
        var resourceType: String
        var name: String
    }

    let transport: any HTTPTransport
    let tokens: any GCPAccessTokenSource
    let endpoints: GCPEndpoints
    let retry: RetryPolicy
    let logger: Logger

    /// Sends `method` to `url` with `body` as JSON and decodes the answer.
    func send<Response: Decodable>(_ method: String, _ url: URL, body: (some Encodable)? = Optional<Empty>.none,
                                   subject: Subject) async throws -> Response {
        var bytes: [UInt8] = []
        if let body {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            bytes = Array(try encoder.encode(body))
        }
        let response = try await exchange(method, url, body: bytes, subject: subject)
        do {
            return try JSONDecoder().decode(Response.self, from: Data(response.body.isEmpty ? Array("{}".utf8) : response.body))
        } catch {
            throw CloudProviderError.providerError(ProviderFailure(
                httpStatus: response.status, code: "MalformedResponse",
                message: "Google answered \(method) \(url.path) with a body that is not the documented shape: \(error)"))
        }
    }

    /// An empty JSON body (`{}`), for calls that take none.
    struct Empty: Codable, Sendable {}

    private func exchange(_ method: String, _ url: URL, body: [UInt8], subject: Subject) async throws -> HTTPResponse {
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if !body.isEmpty || method == "POST" || method == "PUT" { headers.append(("Content-Type", "application/json")) }
        if let quotaProject = await tokens.quotaProject() { headers.append(("x-goog-user-project", quotaProject)) }
        let tokens = self.tokens
        return try await BearerTokenExchange(service: "Google", transport: transport, retry: retry, logger: logger).send(
            method, url, headers: headers, body: body.isEmpty && method == "POST" ? Array("{}".utf8) : body,
            token: { try await tokens.token().value }, invalidate: { await tokens.invalidate() },
            failure: { response in
                let parsed = GCPErrorMapping.failure(response)
                return .init(error: GCPErrorMapping.error(parsed, resourceType: subject.resourceType, name: subject.name), code: parsed.status)
            })
    }
}
