import CloudCore
import Diagnostics
import Foundation

/// Google's OAuth 2.0 token endpoint: posts a grant as a form and reads the access token.
///
/// 429, the 5xx that say "try later" and broken connections are retried through the
/// `RetryPolicy` (honouring `Retry-After`); a 429 that persists is `throttled`. An OAuth
/// error answer (`{"error":"invalid_grant","error_description":…}`) is `unauthenticated` with
/// its description. Nothing the form carries (refresh tokens, client secrets, assertions) nor
/// the token that comes back is ever logged or put in an error.
struct GCPTokenEndpoint: Sendable {
    let transport: any HTTPTransport
    let retry: RetryPolicy
    let logger: Logger

    /// Posts `form` to `url` and returns the token it answers with.
    /// - Parameters:
    ///   - subject: whose grant this is, for messages (`service account x (file y)`).
    ///   - secrets: values of `form` to keep out of messages even if the endpoint echoes them.
    ///   - hint: what to do when the endpoint refuses the grant, appended to that error.
    func requestToken(url: URL, form: [(String, String)], subject: String, secrets: [String],
                      hint: String? = nil) async throws -> GCPAccessToken {
        let label = "token request for \(subject) to \(url.host ?? "?")"
        let response = try await OAuthTokenRequest(transport: transport, retry: retry, logger: logger)
            .post(url, form: form, label: label) { Self.error($0, label: label, secrets: secrets, hint: hint) }
        guard let token = GCPAccessToken.decode(response.body) else {
            throw CloudProviderError.providerError(ProviderFailure(
                httpStatus: response.status, code: "MalformedResponse",
                message: "the token endpoint \(url.host ?? "?") answered the \(label) without an access_token"))
        }
        logger.debug("\(label): HTTP \(response.status), token valid for \(token.expiresIn.map { "\($0)" } ?? "an unknown time")")
        return token
    }

    /// The error an unsuccessful answer means.
    static func error(_ response: HTTPResponse, label: String, secrets: [String], hint: String?) -> CloudProviderError {
        struct Body: Decodable {
            var error: String?
            var error_description: String?
        }
        let body = try? JSONDecoder().decode(Body.self, from: Data(response.body))
        if response.status == 429 {
            return .throttled(retryAfterSeconds: RetryPolicy.retryAfter(response), reason: "Google's token endpoint throttled the \(label)")
        }
        if RetryPolicy.isRetryable(status: response.status) {
            return .providerError(ProviderFailure(httpStatus: response.status, code: body?.error ?? "TokenEndpointUnavailable",
                                                  message: "Google's token endpoint could not answer the \(label)", retryable: true))
        }
        var reason = "Google's token endpoint refused the \(label) (HTTP \(response.status))"
        if let code = body?.error {
            reason += ": " + code
            if let description = body?.error_description, !description.isEmpty {
                reason += ": " + String(description.prefix(500))
            }
        }
        if let hint { reason += "; " + hint }
        // The endpoint may quote the grant back, as sent (form-encoded) or decoded.
        return .unauthenticated(reason: GCPRedaction.scrub(reason, removing: secrets + secrets.map(URLEncoding.percentEncode)))
    }
}
