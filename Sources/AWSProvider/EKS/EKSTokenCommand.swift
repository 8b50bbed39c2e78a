import CloudCore
import Diagnostics
import Foundation

/// `cloud-agent token eks`: the exec credential plugin of the kubeconfigs the AWS provider
/// writes. Prints an `ExecCredential` with a fresh EKS token from the AWS credential chain.
public enum EKSTokenCommand {
    public struct Options: Sendable, Equatable {
        public var cluster: String
        public var region: String?
        public var roleArn: String?
        public var profile: String?
        /// Replaces the STS endpoint (tests, VPC endpoints).
        public var endpointURL: String?
        /// The external id the role's trust policy asks for.
        public var externalId: String?
        /// A provider of the agent's config file whose settings (keys included) fill in what
        /// the options leave out.
        public var provider: String?
        /// The config file holding `provider` (the agent's default when nil).
        public var configFile: String?
        /// Keys read from that config file; never passed on the command line.
        public var accessKeyId: String?
        public var secretAccessKey: String?
        public var sessionToken: String?

        public init(cluster: String, region: String?, roleArn: String?, profile: String?, endpointURL: String?) {
            self.cluster = cluster
            self.region = region
            self.roleArn = roleArn
            self.profile = profile
            self.endpointURL = endpointURL
        }

        /// The command-line arguments after the executable that give these options back,
        /// keys excepted.
        public var arguments: [String] {
            var arguments = ["token", "eks", "--cluster", cluster]
            let optional: [(String, String?)] = [
                ("--region", region), ("--role-arn", roleArn), ("--external-id", externalId), ("--profile", profile),
                ("--endpoint-url", endpointURL), ("--provider", provider), ("--config", configFile),
            ]
            for case let (flag, value?) in optional { arguments += [flag, value] }
            return arguments
        }

        /// Fills what the options leave out from `settings` (a provider's entry of the config file).
        public mutating func fill(from settings: ProviderConfiguration) {
            region = region ?? settings.region
            roleArn = roleArn ?? settings.string("roleArn")
            externalId = externalId ?? settings.string("externalId")
            profile = profile ?? settings.string("profile")
            endpointURL = endpointURL ?? settings.string("stsEndpointURL") ?? settings.string("endpointURL")
            accessKeyId = settings.string("accessKeyId")
            secretAccessKey = settings.string("secretAccessKey")
            sessionToken = settings.string("sessionToken")
        }
    }

    /// The `ExecCredential` JSON for `options.cluster`.
    public static func execCredential(_ options: Options, environment: [String: String], logger: Logger) async throws -> String {
        let region = options.region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let endpoints = AWSEndpoints(region: region, override: options.endpointURL.flatMap(URL.init(string:)), environment: environment)
        let transport = CurlTransport(requestTimeout: 30)
        let sts = STSClient(transport: transport, endpoints: endpoints, retry: RetryPolicy(), logger: logger)
        let chain = AWSCredentialChain(settings: .init(accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey,
                                                       sessionToken: options.sessionToken, profile: options.profile,
                                                       roleArn: options.roleArn, externalId: options.externalId),
                                       environment: environment,
                                       metadataTransport: CurlTransport(requestTimeout: 2), sts: sts, logger: logger)
        let credentials = try await chain.credentials()
        let (token, expiration) = EKSToken.make(cluster: options.cluster, credentials: credentials, region: region,
                                                stsEndpoint: endpoints.url(for: "sts"))
        return EKSToken.execCredential(token: token, expiration: expiration)
    }
}
