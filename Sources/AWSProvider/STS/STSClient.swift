import CloudCore
import Diagnostics
import Foundation

/// AWS STS over the Query API: role assumption for the credential chain, and the caller's identity.
///
/// It signs with the credentials it is given (not the chain's: the chain is what it serves), and
/// retries and maps errors as `AWSClient` does.
struct STSClient: AWSSecurityTokenService {
    let transport: any HTTPTransport
    let endpoints: AWSEndpoints
    let retry: RetryPolicy
    let logger: Logger

    static let version = "2011-06-15"

    func assumeRole(with credentials: AWSCredentials, roleArn: String, sessionName: String,
                    externalId: String?) async throws -> AWSCredentials {
        var params = [("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let externalId { params.append(("ExternalId", externalId)) }
        let tree = try await call("AssumeRole", params, signedWith: credentials, subject: roleArn)
        return try Self.credentials(in: tree, result: "AssumeRoleResult")
    }

    func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws -> AWSCredentials {
        let tree = try await call("AssumeRoleWithWebIdentity",
                                  [("RoleArn", roleArn), ("RoleSessionName", sessionName), ("WebIdentityToken", token)],
                                  signedWith: nil, subject: roleArn)
        return try Self.credentials(in: tree, result: "AssumeRoleWithWebIdentityResult")
    }

    /// The ARN, account and user id the credentials belong to.
    func callerIdentity(with credentials: AWSCredentials) async throws -> (arn: String, account: String, userID: String) {
        let tree = try await call("GetCallerIdentity", [], signedWith: credentials, subject: "caller")
        let result = tree.at("GetCallerIdentityResult")
        return (result?.string("Arn") ?? "", result?.string("Account") ?? "", result?.string("UserId") ?? "")
    }

    /// Sends one action (`credentials` nil: unsigned) and returns the parsed response document.
    private func call(_ action: String, _ params: [(String, String)], signedWith credentials: AWSCredentials?,
                      subject: String) async throws -> XMLTree {
        let body = Array(QueryForm.encode(action: action, version: Self.version, params).utf8)
        let url = endpoints.url(for: "sts")
        var attempt = 1
        while true {
            var request = HTTPRequest(method: "POST", url: url,
                                      headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")], body: body)
            if let credentials {
                request = AWSSigner(credentials: .init(credentials), region: endpoints.region, service: "sts").signed(request)
            }
            let failure: CloudProviderError
            var retryAfter: Double?
            do {
                let response = try await transport.send(request)
                if response.isSuccess {
                    guard let tree = XMLTree.parse(response.body) else {
                        throw CloudProviderError.providerError(ProviderFailure(httpStatus: response.status, code: "MalformedResponse",
                                                                               message: "STS answered \(action) with something that is not XML"))
                    }
                    return tree
                }
                let parsed = QueryErrorBody.parse(status: response.status, body: response.body)
                failure = AWSErrorMapping.error(parsed, resourceType: "role", name: subject)
                retryAfter = RetryPolicy.retryAfter(response)
            } catch let error as HTTPTransportError {
                failure = .providerError(ProviderFailure(code: "ConnectionError", message: error.detail, retryable: error.isRetryable))
            }
            switch retry.decide(attempt: attempt, retryable: failure.isRetryable, retryAfter: retryAfter) {
            case .giveUp:
                throw failure
            case .retry(let delay):
                logger.debug("sts \(action): attempt \(attempt) failed (\(failure)); retrying in \(delay)")
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// `<RESULT><Credentials>` of an AssumeRole-style response.
    static func credentials(in tree: XMLTree, result: String) throws -> AWSCredentials {
        guard let node = tree.at(result, "Credentials"), let id = node.string("AccessKeyId"), let secret = node.string("SecretAccessKey") else {
            throw CloudProviderError.providerError(ProviderFailure(code: "MalformedResponse", message: "STS answered without credentials"))
        }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: node.string("SessionToken"),
                              expiration: node.string("Expiration").flatMap(AWSTimestamp.parse).map { Date(timeIntervalSince1970: $0) })
    }
}
