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
        /// Replaces the STS endpoint (tests).
        public var endpointURL: String?

        public init(cluster: String, region: String?, roleArn: String?, profile: String?, endpointURL: String?) {
            self.cluster = cluster
            self.region = region
            self.roleArn = roleArn
            self.profile = profile
            self.endpointURL = endpointURL
        }
    }

    /// The `ExecCredential` JSON for `options.cluster`.
    public static func execCredential(_ options: Options, environment: [String: String], logger: Logger) async throws -> String {
        let region = options.region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let endpoints = AWSEndpoints(region: region, override: options.endpointURL.flatMap(URL.init(string:)), environment: environment)
        let transport = URLSessionTransport(requestTimeout: 30)
        let sts = STSClient(transport: transport, endpoints: endpoints, retry: RetryPolicy(), logger: logger)
        let chain = AWSCredentialChain(settings: .init(profile: options.profile, roleArn: options.roleArn), environment: environment,
                                       metadataTransport: URLSessionTransport(requestTimeout: 2), sts: sts, logger: logger)
        let credentials = try await chain.credentials()
        let (token, expiration) = EKSToken.make(cluster: options.cluster, credentials: credentials, region: region,
                                                stsEndpoint: endpoints.url(for: "sts"))
        return EKSToken.execCredential(token: token, expiration: expiration)
    }
}
