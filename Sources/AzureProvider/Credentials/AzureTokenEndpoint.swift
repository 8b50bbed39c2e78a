import CloudCore
import Diagnostics
import Foundation

/// Microsoft Entra ID's OAuth 2.0 token endpoint, `{authority}/{tenant}/oauth2/v2.0/token`:
/// posts a client-credentials grant as a form and reads the access token.
///
/// 429, the 5xx that say "try later" and broken connections are retried through the
/// `RetryPolicy` (honouring `Retry-After`); a 429 that persists is `throttled`. An OAuth error
/// answer (`{"error":"invalid_client","error_description":"AADSTS7000215: …","error_codes":[…],
/// "trace_id":…}`) is `unauthenticated`, with the error, the first line of its description and
/// the trace id. Nothing the form carries (client secrets, assertions) nor the token that
/// comes back is ever logged or put in an error.
struct AzureTokenEndpoint: Sendable {
    /// The public cloud's authority (sovereign clouds have their own: `authorityHost`).
    static let defaultAuthorityHost = "https://login.microsoftonline.com"
    static let clientCredentialsGrant = "client_credentials"
    static let jwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    let transport: any HTTPTransport
    let retry: RetryPolicy
    let logger: Logger
    /// When answers arrive, for tokens that say when they expire rather than how long they last.
    let now: @Sendable () -> Date

    /// The authority to ask: the provider's `authorityHost` setting, else
    /// `AZURE_AUTHORITY_HOST`, else the public cloud's. https, or plain http to a loopback
    /// address (test servers); a secret never crosses a network in clear text.
    /// - Throws: `CloudProviderError.invalidRequest(field: "authorityHost", …)` when it is not
    ///   such a URL.
    static func authority(setting: String?, environment: [String: String]) throws(CloudProviderError) -> URL {
        let origin: String
        let text: String
        if let setting = nonEmpty(setting) {
            (origin, text) = ("the authorityHost setting", setting)
        } else if let variable = nonEmpty(environment["AZURE_AUTHORITY_HOST"]) {
            (origin, text) = ("AZURE_AUTHORITY_HOST", variable)
        } else {
            (origin, text) = ("the default authority", defaultAuthorityHost)
        }
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
              url.query == nil, url.fragment == nil, url.user == nil else {
            throw .invalidRequest(field: "authorityHost", reason: "(\(origin)) '\(text)' is not a URL such as \(defaultAuthorityHost)")
        }
        switch scheme {
        case "https":
            return url
        case "http" where EndpointPolicy.isLoopback(host):
            return url
        case "http":
            throw .invalidRequest(field: "authorityHost", reason: """
                (\(origin)) '\(text)' uses plain http, allowed only to loopback addresses: client secrets and tokens \
                would cross the network in clear text; use https
                """)
        default:
            throw .invalidRequest(field: "authorityHost", reason: "(\(origin)) '\(text)' is not an https URL")
        }
    }

    /// A tenant as it goes into the token URL's path: a GUID or a domain name
    /// (`contoso.onmicrosoft.com`), so letters, digits, '-' and '.'.
    /// - Parameter origin: where it came from, for the message.
    static func checkTenant(_ tenant: String, origin: String) throws(CloudProviderError) {
        let valid = (1...256).contains(tenant.count) && !tenant.hasPrefix(".") && !tenant.contains("..")
            && tenant.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        guard valid else {
            throw .invalidRequest(field: "tenantId", reason: "(\(origin)) is not a tenant id or domain such as 00000000-0000-0000-0000-000000000000")
        }
    }

    /// `{authority}/{tenant}/oauth2/v2.0/token`.
    static func tokenURL(authority: URL, tenant: String) -> URL {
        URLEncoding.url(authority, path: "/\(URLEncoding.percentEncode(tenant))/oauth2/v2.0/token")
    }

    /// Posts `form` to `url` and returns the token it answers with.
    /// - Parameters:
    ///   - subject: whose grant this is, for messages (`service principal x in tenant y …`).
    ///   - secrets: values of `form` to keep out of messages even if the endpoint echoes them.
    ///   - hint: what to do when the endpoint refuses the grant, appended to that error.
    func requestToken(url: URL, form: [(String, String)], subject: String, secrets: [String],
                      hint: String? = nil) async throws -> AzureAccessToken {
        let label = "token request for \(subject) to \(url.host ?? "?")"
        let response = try await OAuthTokenRequest(transport: transport, retry: retry, logger: logger)
            .post(url, form: form, label: label) { Self.error($0, label: label, secrets: secrets, hint: hint) }
        guard let token = AzureAccessToken.decode(response.body, now: now()) else {
            throw CloudProviderError.providerError(ProviderFailure(
                httpStatus: response.status, code: "MalformedResponse",
                message: "Microsoft Entra ID (\(url.host ?? "?")) answered the \(label) without an access_token"))
        }
        logger.debug("\(label): HTTP \(response.status), token valid for \(token.expiresIn.map { "\($0.components.seconds) s" } ?? "an unknown time")")
        return token
    }

    /// The error an unsuccessful answer means.
    static func error(_ response: HTTPResponse, label: String, secrets: [String], hint: String?) -> CloudProviderError {
        struct Body: Decodable {
            var error: String?
            var error_description: String?
            var error_codes: [Int]?
            var trace_id: String?
            var correlation_id: String?
        }
        let body = try? JSONDecoder().decode(Body.self, from: Data(response.body))
        if response.status == 429 {
            return .throttled(retryAfterSeconds: RetryPolicy.retryAfter(response), reason: "Microsoft Entra ID throttled the \(label)")
        }
        if RetryPolicy.isRetryable(status: response.status) {
            return .providerError(ProviderFailure(httpStatus: response.status, code: body?.error ?? "TokenEndpointUnavailable",
                                                  message: "Microsoft Entra ID could not answer the \(label)",
                                                  requestID: body?.trace_id, retryable: true))
        }
        var reason = "Microsoft Entra ID refused the \(label) (HTTP \(response.status))"
        if let code = body?.error {
            reason += ": " + code
        }
        // The description's first line says it all ("AADSTS7000215: Invalid client secret
        // provided. …"); the rest is trace and correlation ids and a timestamp.
        // Secrets are scrubbed before the line is cut short, so no fragment of one is left.
        let firstLine = body?.error_description?.split(whereSeparator: \.isNewline).first
            .map { AzureRedaction.scrub($0.trimmingCharacters(in: .whitespaces), removing: secrets) } ?? ""
        let aadsts = body?.error_codes?.first.map { "AADSTS\($0)" }
        if !firstLine.isEmpty {
            let prefixed = firstLine.hasPrefix("AADSTS") ? firstLine : aadsts.map { "\($0): \(firstLine)" } ?? firstLine
            reason += ": " + String(prefixed.prefix(500))
        } else if let aadsts {
            reason += ": " + aadsts
        }
        if let hint { reason += "; " + hint }
        let ids = [body?.trace_id.map { "trace id \($0)" }, body?.correlation_id.map { "correlation id \($0)" }].compactMap { $0 }
        if !ids.isEmpty { reason += " [" + ids.joined(separator: ", ") + "]" }
        return .unauthenticated(reason: AzureRedaction.scrub(reason, removing: secrets))
    }

    private static func nonEmpty(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }
}
