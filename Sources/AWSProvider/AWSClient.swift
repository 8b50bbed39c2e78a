import CloudCore
import Diagnostics
import Foundation

/// Sends requests to AWS services: signs them (SigV4) with the credential chain's current
/// credentials, retries what may pass (throttling, 5xx, broken connections) with capped
/// exponential backoff and full jitter, and turns error responses into `CloudProviderError`s.
struct AWSClient: Sendable {
    /// How a service writes its errors.
    enum ErrorProtocol: Sendable {
        /// REST JSON (EKS): `x-amzn-ErrorType` header or `__type`, and `message`.
        case json
        /// Query (EC2, STS): XML `<Error><Code>` and `<Message>`.
        case query
    }

    /// What a request is about, for not-found and conflict errors.
    struct Subject: Sendable {
        var resourceType: String
        var name: String
    }

    let transport: any HTTPTransport
    let credentials: AWSCredentialChain
    let endpoints: AWSEndpoints
    let retry: RetryPolicy
    let logger: Logger

    /// Sends one request to `service` and returns its successful response.
    func send(service: String, method: String, path: String, query: [(String, String)] = [],
              headers: [(name: String, value: String)] = [], body: [UInt8] = [],
              errors: ErrorProtocol, subject: Subject) async throws -> HTTPResponse {
        let url = Self.url(endpoints.url(for: service), path: path, query: query)
        return try await Self.exchange(label: "\(service) \(method) \(path)", transport: transport, retry: retry, logger: logger,
                                       errors: errors, subject: subject, credentials: credentials) {
            let keys = try await credentials.credentials()
            return sign(HTTPRequest(method: method, url: url, headers: headers, body: body), with: keys, service: service)
        }
    }

    /// The one retry loop of every AWS call: builds the request afresh per attempt (so each is
    /// signed with its own date), sends it, maps an error response with `errors`, and retries
    /// what the policy allows. With a credential chain, credentials the service calls expired
    /// are fetched again once and the request resent.
    static func exchange(label: String, transport: any HTTPTransport, retry: RetryPolicy, logger: Logger,
                         errors: ErrorProtocol, subject: Subject, credentials: AWSCredentialChain? = nil,
                         request build: () async throws -> HTTPRequest) async throws -> HTTPResponse {
        var attempt = 1
        var refreshedCredentials = false
        while true {
            try Task.checkCancellation()
            let request = try await build()
            let failure: CloudProviderError
            var retryAfter: Double?
            do {
                let response = try await transport.send(request)
                if response.isSuccess { return response }
                let parsed = errors == .json ? jsonError(response) : QueryErrorBody.parse(status: response.status, body: response.body)
                failure = AWSErrorMapping.error(parsed, resourceType: subject.resourceType, name: subject.name)
                retryAfter = RetryPolicy.retryAfter(response)
                if let credentials, ["ExpiredToken", "ExpiredTokenException", "RequestExpired"].contains(parsed.code), !refreshedCredentials {
                    refreshedCredentials = true
                    await credentials.invalidate()
                    continue
                }
                logger.debug("\(label): HTTP \(response.status) \(parsed.code) [request id \(parsed.requestID ?? "-")]")
            } catch let error as HTTPTransportError {
                failure = .providerError(ProviderFailure(code: "ConnectionError", message: error.detail, retryable: error.isRetryable))
            }
            try await retry.pauseOrThrow(after: failure, attempt: attempt, retryAfter: retryAfter, label: label, logger: logger)
            attempt += 1
        }
    }

    /// Adds the SigV4 headers for `credentials`.
    func sign(_ request: HTTPRequest, with credentials: AWSCredentials, service: String) -> HTTPRequest {
        AWSSigner(credentials: .init(credentials), region: endpoints.region, service: service).signed(request)
    }

    /// `base` + `path` (each segment already percent-encoded by the caller) + the query.
    static func url(_ base: URL, path: String, query: [(String, String)]) -> URL {
        URLEncoding.url(base, path: path, query: query)
    }

    /// RFC 3986 percent-encoding, as SigV4 canonicalises: everything but the unreserved characters.
    static func percentEncode(_ text: String) -> String { URLEncoding.percentEncode(text) }

    /// A REST JSON error: the code from `x-amzn-ErrorType` (before any `:`) or `__type`/`code`
    /// (after any `#`), the message from `message`/`Message`.
    static func jsonError(_ response: HTTPResponse) -> AWSErrorMapping.Failure {
        struct Body: Decodable {
            var message: String?
            var Message: String?
            var __type: String?
            var code: String?
        }
        // Some endpoints (and moto) answer a JSON service's auth failures in the Query XML form.
        if response.body.first == UInt8(ascii: "<") {
            return QueryErrorBody.parse(status: response.status, body: response.body)
        }
        let body = try? JSONDecoder().decode(Body.self, from: Data(response.body))
        var code = response.header("x-amzn-errortype") ?? body?.__type ?? body?.code ?? ""
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        return AWSErrorMapping.Failure(status: response.status, code: code, message: body?.message ?? body?.Message ?? "",
                                       requestID: response.header("x-amzn-requestid") ?? response.header("x-amz-request-id"))
    }
}
