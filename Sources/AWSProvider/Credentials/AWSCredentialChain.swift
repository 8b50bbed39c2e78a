import CloudCore
import Diagnostics
import Foundation

/// Finds AWS credentials as the AWS SDKs' default chain does, in its order, and keeps
/// temporary ones fresh: refreshed once, five minutes before they expire, however many calls
/// ask at the same time.
///
/// Order: the provider's own keys; the environment; the shared profile (static keys,
/// `role_arn` with `source_profile` or `credential_source`, web identity, `credential_process`);
/// web identity from the environment; the container endpoint (ECS, EKS Pod Identity); the EC2
/// instance metadata service (IMDSv2). With the `roleArn` setting, the credentials found are
/// then used to assume that role. Which source was used is logged; the secret never is.
actor AWSCredentialChain {
    /// The credential-related settings of one `aws` provider.
    struct Settings: Sendable, Equatable {
        var accessKeyId: String?
        var secretAccessKey: String?
        var sessionToken: String?
        var profile: String?
        var roleArn: String?
        var externalId: String?
    }

    private let settings: Settings
    private let environment: [String: String]
    private let metadataTransport: any HTTPTransport
    private let sts: any AWSSecurityTokenService
    private let logger: Logger
    private let cache = ExpiringValue<AWSCredentials>(refreshMargin: .seconds(300))
    private var lastSource: AWSCredentialSource?

    init(settings: Settings, environment: [String: String], metadataTransport: any HTTPTransport,
         sts: any AWSSecurityTokenService, logger: Logger) {
        self.settings = settings
        self.environment = environment
        self.metadataTransport = metadataTransport
        self.sts = sts
        self.logger = logger
    }

    /// Credentials to sign the next request with.
    func credentials() async throws -> AWSCredentials {
        try await cache.value { [self] in
            let (credentials, source) = try await resolve()
            await self.noteSource(source)
            let lifetime = credentials.expiration.map { Duration.seconds(max(0, $0.timeIntervalSinceNow)) }
            return (credentials, lifetime)
        }
    }

    /// Forgets the cached credentials (after the cloud rejected them as expired).
    func invalidate() async {
        await cache.invalidate()
    }

    /// The source of the credentials last resolved.
    var source: AWSCredentialSource? { lastSource }

    private func noteSource(_ source: AWSCredentialSource) {
        if source != lastSource { logger.info("AWS credentials from \(source)") }
        lastSource = source
    }

    // MARK: - Resolution

    func resolve() async throws -> (AWSCredentials, AWSCredentialSource) {
        let (base, source) = try await resolveBase()
        guard let roleArn = settings.roleArn else { return (base, source) }
        let assumed = try await sts.assumeRole(with: base, roleArn: roleArn, sessionName: Self.sessionName(),
                                               externalId: settings.externalId)
        return (assumed, .assumedRole(arn: roleArn, from: source.description))
    }

    private func resolveBase() async throws -> (AWSCredentials, AWSCredentialSource) {
        switch (settings.accessKeyId, settings.secretAccessKey) {
        case let (id?, secret?):
            return (AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: settings.sessionToken), .providerSettings)
        case (_?, nil):
            throw CloudProviderError.unauthenticated(reason: "the provider sets accessKeyId but not secretAccessKey")
        case (nil, _?):
            throw CloudProviderError.unauthenticated(reason: "the provider sets secretAccessKey but not accessKeyId")
        case (nil, nil):
            break
        }
        // An explicitly chosen profile takes precedence over environment keys, as in the SDKs.
        if settings.profile == nil, let credentials = environmentCredentials() {
            return (credentials, .environment)
        }
        let profileName = settings.profile ?? nonEmpty(environment["AWS_PROFILE"]) ?? "default"
        let shared = loadSharedConfig()
        if let profile = shared.profile(profileName) {
            if let found = try await profileCredentials(profileName, profile, shared: shared, visited: []) {
                return found
            }
        } else if settings.profile != nil || nonEmpty(environment["AWS_PROFILE"]) != nil {
            throw CloudProviderError.unauthenticated(reason: "profile '\(profileName)' is not in the shared config or credentials file")
        }
        if let tokenFile = nonEmpty(environment["AWS_WEB_IDENTITY_TOKEN_FILE"]), let roleArn = nonEmpty(environment["AWS_ROLE_ARN"]) {
            let credentials = try await webIdentity(tokenFile: tokenFile, roleArn: roleArn,
                                                    sessionName: nonEmpty(environment["AWS_ROLE_SESSION_NAME"]))
            return (credentials, .webIdentity)
        }
        if let credentials = try await containerCredentials() {
            return (credentials, .container)
        }
        if let credentials = try await instanceMetadataCredentials() {
            return (credentials, .instanceMetadata)
        }
        throw CloudProviderError.unauthenticated(reason: """
            no AWS credentials found: set accessKeyId and secretAccessKey (or profile) on the provider, \
            AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile in ~/.aws/credentials
            """)
    }

    private func environmentCredentials() -> AWSCredentials? {
        guard let id = nonEmpty(environment["AWS_ACCESS_KEY_ID"]), let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"]) else {
            return nil
        }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: nonEmpty(environment["AWS_SESSION_TOKEN"]))
    }

    /// A profile's credentials, following `source_profile` chains (refusing loops).
    private func profileCredentials(_ name: String, _ profile: [String: String], shared: AWSSharedConfig,
                                    visited: Set<String>) async throws -> (AWSCredentials, AWSCredentialSource)? {
        guard !visited.contains(name) else {
            throw CloudProviderError.unauthenticated(reason: "profile '\(name)' is part of a source_profile loop")
        }
        if let roleArn = profile["role_arn"] {
            if let tokenFile = profile["web_identity_token_file"] {
                let credentials = try await webIdentity(tokenFile: tokenFile, roleArn: roleArn, sessionName: profile["role_session_name"])
                return (credentials, .webIdentity)
            }
            let base: (AWSCredentials, AWSCredentialSource)
            if let sourceName = profile["source_profile"] {
                guard let source = shared.profile(sourceName) else {
                    throw CloudProviderError.unauthenticated(reason: "profile '\(name)' names source_profile '\(sourceName)', which does not exist")
                }
                // A source profile is used for its own keys, not its role (as the CLI does when it has keys).
                if sourceName != name, source["role_arn"] != nil, source["aws_access_key_id"] == nil {
                    guard let chained = try await profileCredentials(sourceName, source, shared: shared, visited: visited.union([name])) else {
                        throw CloudProviderError.unauthenticated(reason: "source_profile '\(sourceName)' has no credentials")
                    }
                    base = chained
                } else if let keys = staticCredentials(source) {
                    base = (keys, .sharedProfile(sourceName))
                } else {
                    throw CloudProviderError.unauthenticated(reason: "source_profile '\(sourceName)' has no aws_access_key_id/aws_secret_access_key")
                }
            } else if let credentialSource = profile["credential_source"] {
                base = try await namedCredentialSource(credentialSource, profile: name)
            } else {
                throw CloudProviderError.unauthenticated(reason: "profile '\(name)' has role_arn but neither source_profile nor credential_source")
            }
            let assumed = try await sts.assumeRole(with: base.0, roleArn: roleArn, sessionName: profile["role_session_name"] ?? Self.sessionName(),
                                                   externalId: profile["external_id"])
            return (assumed, .assumedRole(arn: roleArn, from: base.1.description))
        }
        if let keys = staticCredentials(profile) {
            return (keys, .sharedProfile(name))
        }
        if let command = profile["credential_process"] {
            return (try await processCredentials(command, profile: name), .credentialProcess(profile: name))
        }
        if profile.keys.contains(where: { $0.hasPrefix("sso_") }) {
            throw CloudProviderError.unauthenticated(reason: "profile '\(name)' uses IAM Identity Center (SSO), which this version does not read; run 'aws configure export-credentials --profile \(name) --format env' and set the variables, or use credential_process")
        }
        return nil
    }

    private func staticCredentials(_ profile: [String: String]) -> AWSCredentials? {
        guard let id = nonEmpty(profile["aws_access_key_id"]), let secret = nonEmpty(profile["aws_secret_access_key"]) else { return nil }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: nonEmpty(profile["aws_session_token"]))
    }

    private func namedCredentialSource(_ name: String, profile: String) async throws -> (AWSCredentials, AWSCredentialSource) {
        switch name {
        case "Environment":
            guard let credentials = environmentCredentials() else {
                throw CloudProviderError.unauthenticated(reason: "profile '\(profile)' takes credentials from the environment, which has none")
            }
            return (credentials, .environment)
        case "EcsContainer":
            guard let credentials = try await containerCredentials() else {
                throw CloudProviderError.unauthenticated(reason: "profile '\(profile)' takes credentials from the container endpoint, which is not configured")
            }
            return (credentials, .container)
        case "Ec2InstanceMetadata":
            guard let credentials = try await instanceMetadataCredentials() else {
                throw CloudProviderError.unauthenticated(reason: "profile '\(profile)' takes credentials from instance metadata, which did not answer")
            }
            return (credentials, .instanceMetadata)
        default:
            throw CloudProviderError.unauthenticated(reason: "profile '\(profile)' has unknown credential_source '\(name)'")
        }
    }

    // MARK: - Sources that run or fetch something

    /// `credential_process`: runs the command and reads its JSON (`Version` 1).
    private func processCredentials(_ command: String, profile: String) async throws -> AWSCredentials {
        let outcome: ProcessRunner.Outcome
        do {
            outcome = try await ProcessRunner.run(["/bin/sh", "-c", command], environment: environment, timeout: .seconds(60))
        } catch let failure as ProcessRunner.Failure {
            throw CloudProviderError.unauthenticated(reason: "credential_process of profile '\(profile)' failed: \(failure)")
        }
        guard outcome.status == 0 else {
            throw CloudProviderError.unauthenticated(reason: "credential_process of profile '\(profile)' exited with status \(outcome.status)")
        }
        struct Output: Decodable {
            var Version: Int
            var AccessKeyId: String
            var SecretAccessKey: String
            var SessionToken: String?
            var Expiration: String?
        }
        guard let output = try? JSONDecoder().decode(Output.self, from: Data(outcome.standardOutput)), output.Version == 1 else {
            throw CloudProviderError.unauthenticated(reason: "credential_process of profile '\(profile)' did not print Version 1 credentials JSON")
        }
        return AWSCredentials(accessKeyId: output.AccessKeyId, secretAccessKey: output.SecretAccessKey, sessionToken: output.SessionToken,
                              expiration: output.Expiration.flatMap(AWSTimestamp.parse).map { Date(timeIntervalSince1970: $0) })
    }

    private func webIdentity(tokenFile: String, roleArn: String, sessionName: String?) async throws -> AWSCredentials {
        guard let bytes = try? AtomicFile.read(tokenFile) else {
            throw CloudProviderError.unauthenticated(reason: "cannot read the web identity token file \(tokenFile)")
        }
        let token = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return try await sts.assumeRoleWithWebIdentity(roleArn: roleArn, sessionName: sessionName ?? Self.sessionName(), token: token)
    }

    /// ECS task roles and EKS Pod Identity: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `…_FULL_URI`.
    private func containerCredentials() async throws -> AWSCredentials? {
        let url: URL
        if let relative = nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
            guard let made = URL(string: "http://169.254.170.2" + relative) else { return nil }
            url = made
        } else if let full = nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]), let made = URL(string: full) {
            url = made
        } else {
            return nil
        }
        var headers: [(name: String, value: String)] = []
        if let tokenFile = nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]), let token = try? AtomicFile.read(tokenFile) {
            headers.append(("Authorization", String(decoding: token, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
        } else if let token = nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]) {
            headers.append(("Authorization", token))
        }
        let response = try await metadataTransport.send(HTTPRequest(method: "GET", url: url, headers: headers))
        guard response.isSuccess else {
            throw CloudProviderError.unauthenticated(reason: "the container credentials endpoint answered HTTP \(response.status)")
        }
        return try Self.decodeTemporaryCredentials(response.body, source: "the container credentials endpoint")
    }

    /// IMDSv2: a session token by PUT, then the role's credentials. Absent IMDS is not an error.
    private func instanceMetadataCredentials() async throws -> AWSCredentials? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" { return nil }
        let base = nonEmpty(environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"]) ?? "http://169.254.169.254"
        guard let tokenURL = URL(string: base + "/latest/api/token"),
              let rolesURL = URL(string: base + "/latest/meta-data/iam/security-credentials/") else { return nil }
        let tokenResponse: HTTPResponse
        do {
            tokenResponse = try await metadataTransport.send(HTTPRequest(
                method: "PUT", url: tokenURL, headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")]))
        } catch is HTTPTransportError {
            return nil  // Not on EC2.
        }
        guard tokenResponse.isSuccess else { return nil }
        let token = String(decoding: tokenResponse.body, as: UTF8.self)
        let header = [(name: "X-aws-ec2-metadata-token", value: token)]
        let roles = try await metadataTransport.send(HTTPRequest(method: "GET", url: rolesURL, headers: header))
        guard roles.isSuccess, let role = String(decoding: roles.body, as: UTF8.self).split(separator: "\n").first,
              let roleURL = URL(string: rolesURL.absoluteString + role) else {
            return nil  // An instance without a role.
        }
        let credentials = try await metadataTransport.send(HTTPRequest(method: "GET", url: roleURL, headers: header))
        guard credentials.isSuccess else {
            throw CloudProviderError.unauthenticated(reason: "instance metadata answered HTTP \(credentials.status) for the role's credentials")
        }
        return try Self.decodeTemporaryCredentials(credentials.body, source: "instance metadata")
    }

    /// The JSON both the container endpoint and IMDS answer with.
    static func decodeTemporaryCredentials(_ body: [UInt8], source: String) throws -> AWSCredentials {
        struct Body: Decodable {
            var AccessKeyId: String
            var SecretAccessKey: String
            var Token: String?
            var Expiration: String?
        }
        guard let decoded = try? JSONDecoder().decode(Body.self, from: Data(body)) else {
            throw CloudProviderError.unauthenticated(reason: "\(source) answered something that is not credentials JSON")
        }
        return AWSCredentials(accessKeyId: decoded.AccessKeyId, secretAccessKey: decoded.SecretAccessKey, sessionToken: decoded.Token,
                              expiration: decoded.Expiration.flatMap(AWSTimestamp.parse).map { Date(timeIntervalSince1970: $0) })
    }

    private func loadSharedConfig() -> AWSSharedConfig {
        let home = environment["HOME"] ?? "/"
        let configPath = nonEmpty(environment["AWS_CONFIG_FILE"]) ?? "\(home)/.aws/config"
        let credentialsPath = nonEmpty(environment["AWS_SHARED_CREDENTIALS_FILE"]) ?? "\(home)/.aws/credentials"
        func text(_ path: String) -> String? { (try? AtomicFile.read(path)).flatMap { $0 }.map { String(decoding: $0, as: UTF8.self) } }
        return AWSSharedConfig(config: text(configPath), credentials: text(credentialsPath))
    }

    private func nonEmpty(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return value
    }

    static func sessionName() -> String { "cloud-agent-\(Int(Date().timeIntervalSince1970))" }
}
