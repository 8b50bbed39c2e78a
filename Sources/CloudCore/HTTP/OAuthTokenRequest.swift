import Diagnostics
import Foundation

/// A grant posted to an OAuth 2.0 token endpoint (Google's, Microsoft Entra ID's), with the
/// retry loop every such request shares: throttling, the 5xx that say "try later" and broken
/// connections are retried with backoff honouring `Retry-After`. The caller reads the token
/// from the answer and says what a refusal means; only statuses are logged here, never the
/// form (it carries secrets) nor the answer (it carries the token).
public struct OAuthTokenRequest: Sendable {
    public var transport: any HTTPTransport
    public var retry: RetryPolicy
    public var logger: Logger

    public init(transport: any HTTPTransport, retry: RetryPolicy, logger: Logger) {
        self.transport = transport
        self.retry = retry
        self.logger = logger
    }

    /// Posts `form` to `url` until the endpoint answers with success (returned) or retrying
    /// ends (the last failure thrown).
    /// - Parameters:
    ///   - label: what this request is, for log lines and messages.
    ///   - failure: what an unsuccessful answer means.
    public func post(_ url: URL, form: [(String, String)], label: String,
                     failure describe: (HTTPResponse) -> CloudProviderError) async throws -> HTTPResponse {
        let request = HTTPRequest(method: "POST", url: url,
                                  headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
                                  body: Array(Self.formEncode(form).utf8))
        var attempt = 1
        while true {
            try Task.checkCancellation()
            let failure: CloudProviderError
            var retryAfter: Double?
            do {
                let response = try await transport.send(request)
                if response.isSuccess { return response }
                retryAfter = RetryPolicy.retryAfter(response)
                failure = describe(response)
                logger.debug("\(label): HTTP \(response.status)")
            } catch let error as HTTPTransportError {
                failure = .providerError(ProviderFailure(code: "ConnectionError", message: "\(label): \(error.detail)",
                                                         retryable: error.isRetryable))
            }
            try await retry.pauseOrThrow(after: failure, attempt: attempt, retryAfter: retryAfter, label: label, logger: logger)
            attempt += 1
        }
    }

    /// `application/x-www-form-urlencoded`: every byte but the unreserved characters
    /// percent-encoded (so `:` and `/` are too), pairs joined with `&`.
    public static func formEncode(_ fields: [(String, String)]) -> String {
        fields.map { "\(URLEncoding.percentEncode($0.0))=\(URLEncoding.percentEncode($0.1))" }.joined(separator: "&")
    }
}
