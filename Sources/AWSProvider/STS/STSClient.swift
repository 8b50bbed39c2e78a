import CloudCore
import Diagnostics
import Foundation

/// AWS STS over the Query API (version 2011-06-15): role assumption for the credential chain,
/// and whose credentials a set of keys is.
///
/// Each call is a `POST /` to the STS endpoint with a canonically encoded form body
/// (`QueryForm`). It signs with the credentials it is handed, never the chain's (the chain is
/// what it serves, and `AssumeRoleWithWebIdentity` is not signed at all), so it does not go
/// through `AWSClient`; it retries and maps errors as `AWSClient` does: the same
/// `RetryPolicy`, `QueryErrorBody` and `AWSErrorMapping` (`AccessDenied` → permission denied,
/// `InvalidClientTokenId`/`SignatureDoesNotMatch`/`ExpiredToken` → unauthenticated,
/// `Throttling` → retried, then throttled).
/// - Important: The web identity token and the returned secrets are never logged.
struct STSClient: AWSSecurityTokenService {
    /// Who a set of credentials belongs to, as `GetCallerIdentity` answers.
    struct CallerIdentity: Sendable, Equatable {
        /// `arn:aws:iam::ACCOUNT:user/NAME`, or `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`.
        var arn: String
        var account: String
        /// The user's unique id, or `ROLEID:SESSION` for an assumed role.
        var userId: String
    }

    let transport: any HTTPTransport
    let endpoints: AWSEndpoints
    let retry: RetryPolicy
    let logger: Logger

    static let version = "2011-06-15"

    /// `AssumeRole` as the credential chain asks for it: STS's default duration (one hour).
    func assumeRole(with credentials: AWSCredentials, roleArn: String, sessionName: String,
                    externalId: String?) async throws -> AWSCredentials {
        try await assumeRole(with: credentials, roleArn: roleArn, sessionName: sessionName, externalId: externalId, durationSeconds: nil)
    }

    /// `AssumeRole`, signed with `credentials`.
    /// - Parameter durationSeconds: how long the temporary credentials last (900 up to the
    ///   role's maximum); nil for STS's default of one hour.
    func assumeRole(with credentials: AWSCredentials, roleArn: String, sessionName: String, externalId: String?,
                    durationSeconds: Int?) async throws -> AWSCredentials {
        var params = [("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let externalId { params.append(("ExternalId", externalId)) }
        if let durationSeconds { params.append(("DurationSeconds", String(durationSeconds))) }
        let tree = try await call("AssumeRole", params, signedWith: credentials, subject: .init(resourceType: "role", name: roleArn))
        return try Self.credentials(in: tree, action: "AssumeRole")
    }

    func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws -> AWSCredentials {
        let tree = try await call("AssumeRoleWithWebIdentity",
                                  [("RoleArn", roleArn), ("RoleSessionName", sessionName), ("WebIdentityToken", token)],
                                  signedWith: nil, subject: .init(resourceType: "role", name: roleArn))
        return try Self.credentials(in: tree, action: "AssumeRoleWithWebIdentity")
    }

    /// `GetCallerIdentity`, signed with `credentials`: the ARN, account and user id they belong to.
    func callerIdentity(with credentials: AWSCredentials) async throws -> CallerIdentity {
        let tree = try await call("GetCallerIdentity", [], signedWith: credentials,
                                  subject: .init(resourceType: "access key", name: credentials.accessKeyId))
        guard let result = tree.at("GetCallerIdentityResult"), let arn = result.string("Arn") else {
            throw Self.malformed("GetCallerIdentity", "no Arn")
        }
        return CallerIdentity(arn: arn, account: result.string("Account") ?? "", userId: result.string("UserId") ?? "")
    }

    // MARK: - Plumbing

    /// Sends one action, signed with `credentials` (nil: unsigned), and returns the parsed
    /// response document; retries and maps errors as `AWSClient.send` does.
    private func call(_ action: String, _ params: [(String, String)], signedWith credentials: AWSCredentials?,
                      subject: AWSClient.Subject) async throws -> XMLTree {
        let body = Array(QueryForm.encode(action: action, version: Self.version, params).utf8)
        let url = AWSClient.url(endpoints.url(for: "sts"), path: "/", query: [])
        let response = try await AWSClient.exchange(label: "sts \(action)", transport: transport, retry: retry, logger: logger,
                                                    errors: .query, subject: subject) {
            let request = HTTPRequest(method: "POST", url: url,
                                      headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")], body: body)
            // Signed per attempt: each carries its own X-Amz-Date.
            guard let credentials else { return request }
            return AWSSigner(credentials: .init(credentials), region: endpoints.region, service: "sts").signed(request)
        }
        guard let tree = XMLTree.parse(response.body) else {
            throw Self.malformed(action, "a body that is not XML", status: response.status)
        }
        return tree
    }

    /// The `<ACTIONResult><Credentials>` of an AssumeRole-style response.
    ///
    /// Temporary credentials always come with a session token and an expiration; without
    /// them the answer is refused, since credentials cached without an expiry would be used
    /// long after STS stopped honouring them. Whitespace inside the key, secret and token is
    /// dropped (none of them can contain any; the API reference's examples wrap the token
    /// across lines).
    static func credentials(in tree: XMLTree, action: String) throws -> AWSCredentials {
        guard let node = tree.at("\(action)Result", "Credentials") else {
            throw malformed(action, "no \(action)Result/Credentials")
        }
        func value(_ name: String) -> String? {
            node.string(name).map { $0.filter { !$0.isWhitespace } }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let id = value("AccessKeyId"), let secret = value("SecretAccessKey"), let token = value("SessionToken") else {
            throw malformed(action, "credentials without AccessKeyId, SecretAccessKey or SessionToken")
        }
        guard let text = node.string("Expiration"), let seconds = AWSTimestamp.parse(text) else {
            throw malformed(action, "credentials without a readable Expiration (\(node.string("Expiration") ?? "none"))")
        }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: token, expiration: Date(timeIntervalSince1970: seconds))
    }

    private static func malformed(_ action: String, _ what: String, status: Int? = nil) -> CloudProviderError {
        .providerError(ProviderFailure(httpStatus: status, code: "MalformedResponse", message: "STS answered \(action) with \(what)"))
    }
}
