import Foundation

/// AWS access keys, long-lived or temporary. Printing one never shows the secret or token.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-lived keys.
    public var expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        "AWSCredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>"
            + (sessionToken == nil ? "" : ", sessionToken: <redacted>")
            + (expiration.map { ", expires \($0.formatted(.iso8601))" } ?? "") + ")"
    }
}

/// Where a set of credentials came from, for the log line that says which source was used.
public enum AWSCredentialSource: Sendable, Equatable, CustomStringConvertible {
    case providerSettings
    case environment
    case sharedProfile(String)
    case credentialProcess(profile: String)
    case webIdentity
    case container
    case instanceMetadata
    case assumedRole(arn: String, from: String)

    public var description: String {
        switch self {
        case .providerSettings: return "the provider's accessKeyId/secretAccessKey settings"
        case .environment: return "the environment (AWS_ACCESS_KEY_ID)"
        case .sharedProfile(let name): return "profile '\(name)' of the shared credentials files"
        case .credentialProcess(let profile): return "credential_process of profile '\(profile)'"
        case .webIdentity: return "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)"
        case .container: return "the container credentials endpoint"
        case .instanceMetadata: return "the EC2 instance metadata service (IMDSv2)"
        case .assumedRole(let arn, let from): return "role \(arn) assumed with \(from)"
        }
    }
}

extension AWSSigner.Credentials {
    /// The signing keys of `credentials`.
    init(_ credentials: AWSCredentials) {
        self.init(accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken)
    }
}
