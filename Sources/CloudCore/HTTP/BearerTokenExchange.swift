import Diagnostics
import Foundation

/// One call to a cloud API that authenticates with OAuth bearer tokens (Google's APIs, Azure
/// Resource Manager): a token on each attempt, the cloud's error bodies mapped by the caller,
/// the shared retry loop (throttling, 5xx and broken connections retried with backoff
/// honouring `Retry-After`), and one fresh token after the cloud calls the token invalid.
public struct BearerTokenExchange: Sendable {
    /// What a failed response means, as the cloud's error mapping reads it.
    public struct Failure: Sendable {
        public var error: CloudProviderError
        /// For the log line (the cloud's code or status).
        public var code: String

        public init(error: CloudProviderError, code: String) {
            self.error = error
            self.code = code
        }
    }

    /// The cloud's name in log lines ("Google", "ARM").
    public var service: String
    public var transport: any HTTPTransport
    public var retry: RetryPolicy
    public var logger: Logger

    public init(service: String, transport: any HTTPTransport, retry: RetryPolicy, logger: Logger) {
        self.service = service
        self.transport = transport
        self.retry = retry
        self.logger = logger
    }

    /// Sends the request (with `Authorization: Bearer` added) until it succeeds or fails for
    /// good; answers only successful responses.
    /// - Parameters:
    ///   - token: the current token (cached by its source).
    ///   - invalidate: forgets the token the cloud refused, so `token` fetches a new one.
    ///   - failure: what an unsuccessful response means.
    public func send(_ method: String, _ url: URL, headers: [(name: String, value: String)], body: [UInt8],
                     token: @Sendable () async throws -> String, invalidate: @Sendable () async -> Void,
                     failure describe: @Sendable (HTTPResponse) -> Failure) async throws -> HTTPResponse {
        var attempt = 1
        var refreshed = false
        let label = "\(method) \(url.path)"
        while true {
            try Task.checkCancellation()
            let request = HTTPRequest(method: method, url: url, headers: [("Authorization", "Bearer \(try await token())")] + headers, body: body)
            let failure: CloudProviderError
            var retryAfter: Double?
            do {
                let response = try await transport.send(request)
                if response.isSuccess { return response }
                let described = describe(response)
                if response.status == 401, !refreshed {
                    refreshed = true
                    logger.info("\(label): \(service) refused the access token (\(described.code)); fetching a new one")
                    await invalidate()
                    continue
                }
                failure = described.error
                retryAfter = RetryPolicy.retryAfter(response)
                logger.debug("\(label): HTTP \(response.status) \(described.code)")
            } catch let error as HTTPTransportError {
                failure = .providerError(ProviderFailure(code: "ConnectionError", message: error.detail, retryable: error.isRetryable))
            }
            try await retry.pauseOrThrow(after: failure, attempt: attempt, retryAfter: retryAfter, label: label, logger: logger)
            attempt += 1
        }
    }
}
