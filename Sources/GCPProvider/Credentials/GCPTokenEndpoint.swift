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
        let request = HTTPRequest(method: "POST", url: url,
                                  headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                                  body: Array(Self.formEncode(form).utf8))
        let label = "token request for \(subject) to \(url.host ?? "?")"
        var attempt = 1
        while true {
            try Task.checkCancellation()
            let failure: CloudProviderError
            var retryAfter: Double?
            do {
                let response = try await transport.send(request)
                if response.isSuccess {
                    guard let token = GCPAccessToken.decode(response.body) else {
                        throw CloudProviderError.providerError(ProviderFailure(
                            httpStatus: response.status, code: "MalformedResponse",
                            message: "the token endpoint \(url.host ?? "?") answered the \(label) without an access_token"))
                    }
                    logger.debug("\(label): HTTP \(response.status), token valid for \(token.expiresIn.map { "\($0)" } ?? "an unknown time")")
                    return token
                }
                retryAfter = RetryPolicy.retryAfter(response)
                failure = Self.error(response, label: label, secrets: secrets, hint: hint)
                logger.debug("\(label): HTTP \(response.status)")
            } catch let error as HTTPTransportError {
                failure = .providerError(ProviderFailure(code: "ConnectionError", message: "\(label): \(error.detail)",
                                                         retryable: error.isRetryable))
            }
            try await retry.pauseOrThrow(after: failure, attempt: attempt, retryAfter: retryAfter, label: label, logger: logger)
            attempt += 1
        }
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
        return .unauthenticated(reason: GCPRedaction.scrub(reason, removing: secrets + secrets.map(percentEncode)))
    }

    /// `application/x-www-form-urlencoded`: every byte but the unreserved characters
    /// percent-encoded (so `:` and `/` are too), pairs joined with `&`.
    static func formEncode(_ fields: [(String, String)]) -> String {
        fields.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
    }

    static func percentEncode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
