import CloudCore
import Diagnostics
import Foundation

/// The GCE metadata server (also on GKE, Cloud Run and Cloud Functions): the default service
/// account's access token, and the project the machine runs in.
///
/// At `169.254.169.254`, or `GCE_METADATA_HOST` (host and optional port) as Google's libraries
/// allow. Every request carries `Metadata-Flavor: Google`. The transport is expected to give
/// up quickly (about 2 s): off Google Cloud nothing answers, and a connection failure just
/// means "not on GCE". Answers that say "try later" are retried through the `RetryPolicy`.
struct GCPMetadataServer: Sendable {
    /// What asking for a token came to.
    enum Lookup: Sendable, Equatable {
        case token(GCPAccessToken)
        /// No token from here; why, for the "what was tried" message.
        case unavailable(String)
    }

    static let defaultHost = "169.254.169.254"
    static let tokenPath = "/computeMetadata/v1/instance/service-accounts/default/token"
    static let projectPath = "/computeMetadata/v1/project/project-id"

    let transport: any HTTPTransport
    /// `host` or `host:port`.
    let host: String
    let retry: RetryPolicy
    let logger: Logger

    init(transport: any HTTPTransport, environment: [String: String], retry: RetryPolicy, logger: Logger) {
        self.transport = transport
        let configured = environment["GCE_METADATA_HOST"]?.trimmingCharacters(in: .whitespaces) ?? ""
        host = configured.isEmpty ? Self.defaultHost : configured
        self.retry = retry
        self.logger = logger
    }

    /// The default service account's access token.
    func accessToken() async throws -> Lookup {
        switch try await get(Self.tokenPath) {
        case .answer(let response):
            guard let token = GCPAccessToken.decode(response.body) else {
                return .unavailable("it answered without an access_token")
            }
            return .token(token)
        case .status(404):
            return .unavailable("it answered HTTP 404: the instance has no service account")
        case .status(let status):
            return .unavailable("it answered HTTP \(status)")
        case .unreachable(let detail):
            return .unavailable("not reachable, so not on Google Cloud: \(detail)")
        }
    }

    /// The id of the project the machine runs in; nil off Google Cloud.
    func project() async throws -> String? {
        guard case .answer(let response) = try await get(Self.projectPath) else { return nil }
        let text = String(decoding: response.body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty || text.contains(where: { $0.isWhitespace }) ? nil : text
    }

    private enum Answer {
        case answer(HTTPResponse)
        case status(Int)
        case unreachable(String)
    }

    /// GETs `path`; a connection failure on the first attempt is "unreachable" at once (no
    /// retries: off GCE each would only wait again).
    private func get(_ path: String) async throws -> Answer {
        guard let url = URL(string: "http://\(host)\(path)") else { return .unreachable("'\(host)' is not a host") }
        let request = HTTPRequest(method: "GET", url: url, headers: [("Metadata-Flavor", "Google")])
        var attempt = 1
        while true {
            try Task.checkCancellation()
            var retryAfter: Double?
            let last: Answer
            do {
                let response = try await transport.send(request)
                if response.isSuccess { return .answer(response) }
                logger.debug("metadata server \(host) GET \(path): HTTP \(response.status)")
                retryAfter = RetryPolicy.retryAfter(response)
                last = .status(response.status)
                guard RetryPolicy.isRetryable(status: response.status) else { return last }
            } catch let error as HTTPTransportError {
                logger.debug("metadata server \(host) GET \(path): \(error.detail)")
                if attempt == 1 { return .unreachable(error.detail) }
                last = .unreachable(error.detail)
            }
            switch retry.decide(attempt: attempt, retryable: true, retryAfter: retryAfter) {
            case .giveUp:
                return last
            case .retry(let delay):
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }
}
