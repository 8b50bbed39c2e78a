import CryptoPrimitives
import Foundation
import Testing
import TestSupport
@testable import AWSProvider

@Suite struct EKSTokenTests {
    let credentials = AWSCredentials(accessKeyId: "ASIAEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                     sessionToken: "FwoGZXIvYXdzEXAMPLE")
    let date = Date(timeIntervalSince1970: 1_764_288_000)  // 2025-11-28T00:00:00Z

    @Test func theTokenIsAPresignedGetCallerIdentityURLForTheCluster() throws {
        let (token, expiration) = EKSToken.make(cluster: "prod", credentials: credentials, region: "eu-west-1",
                                                stsEndpoint: URL(string: "https://sts.eu-west-1.amazonaws.com")!, date: date)
        #expect(token.hasPrefix("k8s-aws-v1."))
        #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"))
        #expect(token.utf8.count < 4096)
        #expect(expiration == date.addingTimeInterval(14 * 60))
        let decoded = try #require(Base64URL.decode(token.dropFirst("k8s-aws-v1.".count)))
        let url = try #require(URLComponents(string: String(decoding: decoded, as: UTF8.self)))
        #expect(url.host == "sts.eu-west-1.amazonaws.com" && url.scheme == "https")
        let query = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(query["Action"] == "GetCallerIdentity" && query["Version"] == "2011-06-15")
        #expect(query["X-Amz-Expires"] == "60")
        #expect(query["X-Amz-SignedHeaders"] == "host;x-k8s-aws-id")
        #expect(query["X-Amz-Credential"] == "ASIAEXAMPLE/20251128/eu-west-1/sts/aws4_request")
        #expect(query["X-Amz-Security-Token"] == "FwoGZXIvYXdzEXAMPLE")
        #expect(query["X-Amz-Signature"]?.count == 64)
        // Only the signing parameters and the action: EKS refuses anything else.
        #expect(Set(query.keys) == ["Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                                    "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature"])
        // A different cluster signs differently.
        let other = EKSToken.make(cluster: "staging", credentials: credentials, region: "eu-west-1",
                                  stsEndpoint: URL(string: "https://sts.eu-west-1.amazonaws.com")!, date: date).token
        #expect(other != token)
    }

    @Test func theExecCredentialIsWhatKubectlReads() throws {
        let text = EKSToken.execCredential(token: "k8s-aws-v1.abc", expiration: date)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["kind"] as? String == "ExecCredential")
        #expect(object["apiVersion"] as? String == "client.authentication.k8s.io/v1beta1")
        let status = try #require(object["status"] as? [String: Any])
        #expect(status["token"] as? String == "k8s-aws-v1.abc")
        #expect(status["expirationTimestamp"] as? String == "2025-11-28T00:00:00Z")
    }

    /// `kubectl config view -o json` of `yaml`: the kubeconfig must pass kubectl's own parser.
    private func kubectlView(_ yaml: String) async throws -> [String: Any] {
        let path = "\(NSTemporaryDirectory())/eks-kubeconfig-\(UUID().uuidString).yaml"
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let kubectl = try #require(["/usr/local/bin/kubectl", "/usr/bin/kubectl"].first { FileManager.default.isExecutableFile(atPath: $0) }
                                   ?? ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map { "\($0)/kubectl" }
                                       .first { FileManager.default.isExecutableFile(atPath: $0) },
                                   "kubectl must be on PATH to check the kubeconfigs the agent emits")
        let result = try await AgentProcess.run(["config", "view", "--kubeconfig", path, "-o", "json"], executableOverride: kubectl)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    private func exec(_ view: [String: Any]) -> [String: Any]? {
        ((view["users"] as? [[String: Any]])?.first?["user"] as? [String: Any])?["exec"] as? [String: Any]
    }

    @Test func theKubeconfigPassesKubectlAndRunsThisAgent() async throws {
        var options = EKSTokenCommand.Options(cluster: "prod", region: "eu-west-1", roleArn: "arn:aws:iam::012345678910:role/Admin",
                                              profile: "team a", endpointURL: nil)
        options.externalId = "ext-1"
        options.provider = "prod"
        options.configFile = "/home/me/.config/cloud-agent/config.json"
        options.accessKeyId = "AKIDEXAMPLE"
        options.secretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
        let yaml = EKSKubeconfig.render(cluster: "prod", arn: "arn:aws:eks:eu-west-1:012345678910:cluster/prod",
                                        endpoint: "https://ABC.yl4.eu-west-1.eks.amazonaws.com", caData: "LS0tLS1CRUdJTg==",
                                        exec: EKSKubeconfig.Exec.agent("/opt/cloud-agent/bin/cloud-agent", options))
        #expect(!yaml.contains("wJalrXUtnFEMI") && !yaml.contains("AKIDEXAMPLE"), "keys never reach the kubeconfig")
        let view = try await kubectlView(yaml)
        let user = try #require(exec(view))
        #expect(user["command"] as? String == "/opt/cloud-agent/bin/cloud-agent")
        #expect(user["args"] as? [String] == ["token", "eks", "--cluster", "prod", "--region", "eu-west-1",
                                              "--role-arn", "arn:aws:iam::012345678910:role/Admin", "--external-id", "ext-1",
                                              "--profile", "team a", "--provider", "prod",
                                              "--config", "/home/me/.config/cloud-agent/config.json"])
        let cluster = try #require(((view["clusters"] as? [[String: Any]])?.first?["cluster"] as? [String: Any]))
        #expect(cluster["server"] as? String == "https://ABC.yl4.eu-west-1.eks.amazonaws.com")
        #expect(view["current-context"] as? String == "arn:aws:eks:eu-west-1:012345678910:cluster/prod")
    }

    @Test func theAWSCLIModeRunsAWSEKSGetToken() async throws {
        let yaml = EKSKubeconfig.render(cluster: "prod", arn: "arn:aws:eks:eu-west-1:012345678910:cluster/prod",
                                        endpoint: "https://ABC.yl4.eu-west-1.eks.amazonaws.com", caData: "LS0tLS1CRUdJTg==",
                                        exec: EKSKubeconfig.Exec.awsCLI(cluster: "prod", region: "eu-west-1", profile: "team a",
                                                      roleArn: "arn:aws:iam::012345678910:role/Admin"))
        let user = try #require(exec(try await kubectlView(yaml)))
        #expect(user["command"] as? String == "aws")
        #expect(user["args"] as? [String] == ["--region", "eu-west-1", "eks", "get-token", "--cluster-name", "prod", "--output", "json",
                                              "--role-arn", "arn:aws:iam::012345678910:role/Admin"])
        let env = try #require(user["env"] as? [[String: Any]])
        #expect(env.count == 1 && env.first?["name"] as? String == "AWS_PROFILE" && env.first?["value"] as? String == "team a")
    }
}
