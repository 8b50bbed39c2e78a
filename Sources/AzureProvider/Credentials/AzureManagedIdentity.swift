import CloudCore
import Diagnostics
import Foundation

/// A managed identity's token, from the endpoint the machine offers one at.
///
/// - App Service, Functions and Container Apps set `IDENTITY_ENDPOINT` and `IDENTITY_HEADER`:
///   `GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=…` with `X-IDENTITY-HEADER`.
/// - Elsewhere (VMs, scale sets, AKS nodes) the instance metadata service:
///   `GET http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…`
///   with `Metadata: true`.
///
/// `client_id=…` picks a user-assigned identity (`AZURE_CLIENT_ID`). Off Azure nothing answers:
/// the transport is expected to give up quickly (about 2 s), and a connection failure on the
/// first attempt means "not here" at once, without retries. A 400 (`Identity not found`: no
/// identity assigned) or 404 is "not here" too; answers that say "try later" (and IMDS's 410
/// while it upgrades) are retried through the `RetryPolicy`. The identity header is a secret
/// of the host and, like the token, is never logged.
struct AzureManagedIdentity: Sendable {
    /// What asking for a token came to.
    enum Lookup: Sendable, Equatable {
        case token(AzureAccessToken)
        /// No token from here; why, for the "what was tried" message.
        case unavailable(String)
    }

    /// Where the token is asked for.
    enum Endpoint: Sendable, Equatable {
        case instanceMetadata
        /// `IDENTITY_ENDPOINT`, and the `IDENTITY_HEADER` that proves the caller runs on the host.
        case appService(url: URL, header: String)
        /// `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set, but the endpoint is not a URL.
        case misconfigured(String)
    }

    static let instanceMetadataURL = URL(string: "http://169.254.169.254/metadata/identity/oauth2/token")!
    static let instanceMetadataAPIVersion = "2018-02-01"
    static let appServiceAPIVersion = "2019-08-01"

    let transport: any HTTPTransport
    let endpoint: Endpoint
    let retry: RetryPolicy
    let logger: Logger
    let now: @Sendable () -> Date

    init(transport: any HTTPTransport, environment: [String: String], retry: RetryPolicy, logger: Logger,
         now: @escaping @Sendable () -> Date) {
        self.transport = transport
        let identityEndpoint = environment["IDENTITY_ENDPOINT"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let identityHeader = environment["IDENTITY_HEADER"]?.trimmingCharacters(in: .whitespaces) ?? ""
        if identityEndpoint.isEmpty || identityHeader.isEmpty {
            endpoint = .instanceMetadata
        } else if let url = URL(string: identityEndpoint), url.scheme != nil, url.host != nil, url.fragment == nil {
            endpoint = .appService(url: url, header: identityHeader)
        } else {
            endpoint = .misconfigured("IDENTITY_ENDPOINT '\(identityEndpoint)' is not a URL")
        }
        self.retry = retry
        self.logger = logger
        self.now = now
    }

    /// The endpoint asked, without its query, for messages and the credential source.
    var location: String {
        switch endpoint {
        case .instanceMetadata: return Self.instanceMetadataURL.absoluteString
        case .appService(let url, _): return "IDENTITY_ENDPOINT \(url.absoluteString)"
        case .misconfigured: return "IDENTITY_ENDPOINT"
        }
    }

    /// The token for `resource` (`https://management.azure.com/`), of the identity `clientID`
    /// names, or of the only one when nil.
    func accessToken(resource: String, clientID: String?) async throws -> Lookup {
        let request: HTTPRequest
        let secrets: [String]
        switch endpoint {
        case .misconfigured(let why):
            return .unavailable(why)
        case .instanceMetadata:
            request = HTTPRequest(method: "GET", url: Self.url(Self.instanceMetadataURL, query: Self.query(
                apiVersion: Self.instanceMetadataAPIVersion, resource: resource, clientID: clientID)), headers: [("Metadata", "true")])
            secrets = []
        case .appService(let url, let header):
            request = HTTPRequest(method: "GET", url: Self.url(url, query: Self.query(
                apiVersion: Self.appServiceAPIVersion, resource: resource, clientID: clientID)), headers: [("X-IDENTITY-HEADER", header)])
            secrets = [header]
        }
        switch try await get(request) {
        case .answer(let response):
            guard let token = AzureAccessToken.decode(response.body, now: now()) else {
                return .unavailable("it answered without an access_token")
            }
            return .token(token)
        case .status(let response):
            var why = "it answered HTTP \(response.status)"
            if let said = Self.errorText(response, secrets: secrets) { why += ": " + said }
            switch (response.status, endpoint) {
            case (400, _):
                why += " (" + (clientID.map { "no managed identity with client id \($0)" } ?? "no managed identity") + " is assigned here)"
            case (404, .instanceMetadata):
                why += " (not Azure's instance metadata service)"
            default:
                break
            }
            return .unavailable(why)
        case .unreachable(let detail):
            return .unavailable("not reachable, so not on Azure: \(AzureRedaction.scrub(detail, removing: secrets))")
        }
    }

    static func query(apiVersion: String, resource: String, clientID: String?) -> [(String, String)] {
        [("api-version", apiVersion), ("resource", resource)] + (clientID.map { [("client_id", $0)] } ?? [])
    }

    /// `base` with `query` appended (after any query it has already).
    static func url(_ base: URL, query: [(String, String)]) -> URL {
        let encoded = query.map { "\(URLEncoding.percentEncode($0.0))=\(URLEncoding.percentEncode($0.1))" }.joined(separator: "&")
        let text = base.absoluteString
        return URL(string: text + (base.query == nil ? "?" : "&") + encoded) ?? base
    }

    /// `error: error_description` (first line, at most 200 characters) of an error answer,
    /// `secrets` scrubbed from it before it is cut short.
    static func errorText(_ response: HTTPResponse, secrets: [String]) -> String? {
        struct Body: Decodable {
            var error: String?
            var error_description: String?
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: Data(response.body)) else { return nil }
        let description = body.error_description?.split(whereSeparator: \.isNewline).first.map(String.init)
        let text = [body.error, description].compactMap { $0?.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            .joined(separator: ": ")
        return text.isEmpty ? nil : String(AzureRedaction.scrub(text, removing: secrets).prefix(200))
    }

    /// What one request came to, after any retries.
    private enum Answer {
        case answer(HTTPResponse)
        case status(HTTPResponse)
        case unreachable(String)
    }

    /// Sends `request`; a connection failure on the first attempt is "unreachable" at once (no
    /// retries: off Azure each would only wait again).
    private func get(_ request: HTTPRequest) async throws -> Answer {
        let label = "managed identity \(request.url.host ?? "?")"
        var attempt = 1
        while true {
            try Task.checkCancellation()
            var retryAfter: Double?
            let last: Answer
            do {
                let response = try await transport.send(request)
                if response.isSuccess { return .answer(response) }
                logger.debug("\(label): HTTP \(response.status)")
                retryAfter = RetryPolicy.retryAfter(response)
                last = .status(response)
                guard RetryPolicy.isRetryable(status: response.status) || response.status == 410 else { return last }
            } catch let error as HTTPTransportError {
                logger.debug("\(label): \(error.detail)")
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
