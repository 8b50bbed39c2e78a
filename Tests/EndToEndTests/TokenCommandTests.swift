import Foundation
import JSONRPC
import Testing
import TestSupport

/// `cloud-agent token eks`, the exec plugin of the EKS kubeconfigs, through the binary.
@Suite struct TokenCommandTests {
    private let keys = ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                        "AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent"]

    @Test func printsAnExecCredentialWithAPresignedSTSToken() async throws {
        let run = try await AgentProcess.run(["token", "eks", "--cluster", "prod", "--region", "eu-west-1"], environment: keys)
        #expect(run.status == 0, "\(run.stderr)")
        let credential = try JSONParser.parse(run.stdout)
        #expect(credential["kind"] == "ExecCredential")
        #expect(credential["apiVersion"] == "client.authentication.k8s.io/v1beta1")
        let token = try #require(credential["status"]?["token"]?.stringValue)
        #expect(token.hasPrefix("k8s-aws-v1."))
        let padded = String(token.dropFirst("k8s-aws-v1.".count)).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let data = try #require(Data(base64Encoded: padded + String(repeating: "=", count: (4 - padded.count % 4) % 4)))
        let url = try #require(URLComponents(string: String(decoding: data, as: UTF8.self)))
        #expect(url.host == "sts.eu-west-1.amazonaws.com")
        #expect(url.queryItems?.first { $0.name == "X-Amz-SignedHeaders" }?.value == "host;x-k8s-aws-id")
        let expiry = try #require(credential["status"]?["expirationTimestamp"]?.stringValue)
        let expires = try #require(try? Date(expiry, strategy: .iso8601))
        #expect(expires.timeIntervalSinceNow > 13 * 60 && expires.timeIntervalSinceNow <= 14 * 60 + 5)
        #expect(!run.stdout.contains("wJalrXUtnFEMI") && !run.stderr.contains("wJalrXUtnFEMI"))
    }

    @Test func withoutCredentialsItFailsOnStderrOnly() async throws {
        let run = try await AgentProcess.run(["token", "eks", "--cluster", "prod"],
                                             environment: ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "",
                                                           "AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent"])
        #expect(run.status == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("no AWS credentials found"))
    }

    @Test func usageMistakesAreNamed() async throws {
        let missing = try await AgentProcess.run(["token", "eks"], environment: keys)
        #expect(missing.status == 2 && missing.stderr.contains("--cluster"))
        let cloud = try await AgentProcess.run(["token", "gke", "--cluster", "x"], environment: keys)
        #expect(cloud.status == 2 && cloud.stderr.contains("eks, gcp or azure"))
    }

    @Test func gcpPrintsTheConfiguredTokenOrSaysWhatIsMissing() async throws {
        let configured = try await AgentProcess.run(["token", "gcp"], environment: ["GOOGLE_OAUTH_ACCESS_TOKEN": "ya29.test-token", "HOME": "/nonexistent"])
        #expect(configured.status == 0, "\(configured.stderr)")
        let credential = try JSONParser.parse(configured.stdout)
        #expect(credential["kind"] == "ExecCredential" && credential[path: "status", "token"] == "ya29.test-token")
        // Nothing anywhere: no file, a metadata server that is not there (loopback only in
        // tests), no gcloud on PATH.
        let missing = try await AgentProcess.run(["token", "gcp"], environment: [
            "GOOGLE_OAUTH_ACCESS_TOKEN": "", "GOOGLE_APPLICATION_CREDENTIALS": "", "HOME": "/nonexistent", "CLOUDSDK_CONFIG": "/nonexistent",
            "GCE_METADATA_HOST": "127.0.0.1:9", "PATH": "/nonexistent"])
        #expect(missing.status == 1 && missing.stdout.isEmpty && missing.stderr.contains("cloud-agent token gcp:"), "\(missing.stderr)")
        #expect(missing.stderr.contains("GOOGLE_APPLICATION_CREDENTIALS"), "the error says what to set: \(missing.stderr)")
    }

    @Test func azurePrintsTheConfigFilesTokenOrSaysWhatIsMissing() async throws {
        let directory = try Files.temporaryDirectory()
        let configFile = "\(directory)/config.json"
        try Data(#"{"providers": [{"name": "aks", "kind": "azure", "accessToken": "arm-test-token"}]}"#.utf8).write(to: URL(fileURLWithPath: configFile))
        chmod(configFile, 0o600)
        // Nothing in the environment: no service principal, a managed identity endpoint that is
        // not there (loopback only in tests), no az on PATH.
        let nothing = ["AZURE_TENANT_ID": "", "AZURE_CLIENT_ID": "", "AZURE_CLIENT_SECRET": "", "AZURE_FEDERATED_TOKEN_FILE": "",
                       "IDENTITY_ENDPOINT": "http://127.0.0.1:9/msi", "IDENTITY_HEADER": "none", "HOME": "/nonexistent", "PATH": "/nonexistent"]
        let configured = try await AgentProcess.run(["token", "azure", "--provider", "aks", "--config", configFile], environment: nothing)
        #expect(configured.status == 0, "\(configured.stderr)")
        let credential = try JSONParser.parse(configured.stdout)
        #expect(credential["kind"] == "ExecCredential" && credential[path: "status", "token"] == "arm-test-token")
        let missing = try await AgentProcess.run(["token", "azure"], environment: nothing)
        #expect(missing.status == 1 && missing.stdout.isEmpty && missing.stderr.contains("cloud-agent token azure:"), "\(missing.stderr)")
        #expect(missing.stderr.contains("AZURE_CLIENT_SECRET") && missing.stderr.contains("az login"), "the error says what to do: \(missing.stderr)")
    }
}
