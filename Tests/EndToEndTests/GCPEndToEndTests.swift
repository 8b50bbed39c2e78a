import Foundation
import JSONRPC
import Testing
import TestSupport

/// The `gcp` provider through the binary, against the GKE and Compute fake over loopback HTTP.
@Suite struct GCPEndToEndTests {
    private func agent(operationDuration: Duration = .milliseconds(300)) async throws -> (LocalAgent, FakeGoogleCloud) {
        let fake = try FakeGoogleCloud(operationDuration: operationDuration, tokens: ["ya29.fake-token"])
        let agent = try await LocalAgent(providers: [LocalAgent.instant, Self.entry(fake)], environment: ["GOOGLE_OAUTH_ACCESS_TOKEN": ""])
        return (agent, fake)
    }

    /// The `gke` provider's entry, against `fake`.
    private static func entry(_ fake: FakeGoogleCloud) -> JSONValue {
        ["name": "gke", "kind": "gcp", "project": "my-project-1", "location": "us-central1-a", "zone": "us-central1-a",
         "endpointURL": .string(fake.baseURL.absoluteString), "accessToken": "ya29.fake-token"]
    }

    /// The nodePools.update calls the fake received: pool name and body.
    private func nodePoolUpdates(_ fake: FakeGoogleCloud) throws -> [(pool: String, body: JSONValue)] {
        try fake.receivedRequests.filter { $0.method == "PUT" && $0.url.path.contains("/nodePools/") }.map {
            ($0.url.lastPathComponent, try JSONParser.parse(String(decoding: $0.body, as: UTF8.self)))
        }
    }

    @Test func aClusterIsCreatedWaitedForListedConnectedToScaledUpgradedAndDeleted() async throws {
        let (agent, fake) = try await agent()
        let id = agent.send("createCluster", ["provider": "gke", "name": "demo", "nodeCount": 2, "nodeType": "e2-standard-2", "version": "1.30",
                                              "tags": ["team": "platform"], "wait": true])
        var progress: [JSONValue] = []
        var response: JSONValue = .null
        while true {
            let message = try await agent.connection.first { $0["id"] == .int(id) || $0[path: "params", "token"] == .int(id) }
            if message["method"] == nil { response = message; break }
            progress.append(message[path: "params", "value"] ?? .null)
        }
        let cluster = try #require(response["result"], "\(response)")
        #expect(cluster["status"] == "active" && cluster["cloud"] == "gcp" && cluster["providerStatus"] == "RUNNING")
        #expect(cluster["id"] == "projects/my-project-1/locations/us-central1-a/clusters/demo")
        #expect(cluster["version"]?.stringValue?.hasPrefix("1.30.") == true && cluster["tags"] == ["team": "platform"])
        #expect(cluster[path: "nodePools", 0, "name"] == "default" && cluster[path: "nodePools", 0, "nodeCount"] == 2)
        #expect(progress.contains { $0["kind"] == "report" && $0["status"] == "creating" })
        #expect(progress.last?["kind"] == "end")

        #expect(try await agent.result("getCluster", ["provider": "gke", "name": "demo"])["endpoint"]?.stringValue?.hasPrefix("https://34.") == true)
        #expect(try await agent.result("listClusters", ["provider": "gke"])["clusters"]?.names == ["demo"])
        try await agent.failure("createCluster", ["provider": "gke", "name": "demo"], code: Code.conflict)

        let path = "\(try Files.temporaryDirectory())/gke-kubeconfig"
        _ = try await agent.result("getKubeconfig", ["provider": "gke", "name": "demo", "path": .string(path)])
        #expect(Files.mode(path) == 0o600)
        let kubectl = try #require(Files.executable("kubectl"), "kubectl must be on PATH")
        let view = try await AgentProcess.run(["config", "view", "--kubeconfig", path, "-o", "json"], executableOverride: kubectl)
        #expect(view.status == 0, "\(view.stderr)")
        let parsed = try JSONParser.parse(view.stdout)
        #expect(parsed["current-context"] == "gke_my-project-1_us-central1-a_demo")
        #expect(parsed[path: "users", 0, "user", "exec", "args", 1] == "gcp")
        #expect(!view.stdout.contains("ya29.fake-token"), "no token in the kubeconfig")

        let offered = try #require(try await agent.result("getAvailableVersions", ["provider": "gke"])["versions"]?.arrayValue)
        #expect(offered.first?["version"] == "1.30.8-gke.1000000" && offered.last?["version"] == "1.32.1-gke.1200000", "oldest first")
        let regular = try #require(offered.first { $0["isDefault"] == true })
        #expect(regular["version"] == "1.31.5-gke.1000000" && regular["defaultForChannels"] == ["regular"])
        #expect(regular["releaseChannels"] == ["rapid", "regular"])
        let versions = try await agent.result("getAvailableVersions", ["provider": "gke", "cluster": "demo"])
        let target = try #require(versions["versions"]?.arrayValue?.compactMap { $0["version"]?.stringValue }.first { $0.hasPrefix("1.31.") })
        let scaled = try await agent.result("scaleNodePool", ["provider": "gke", "cluster": "demo", "name": "default", "nodeCount": 4, "wait": true])
        #expect(scaled["nodeCount"] == 4 && scaled["status"] == "active")
        let upgraded = try await agent.result("upgradeCluster", ["provider": "gke", "name": "demo", "version": .string(target), "wait": true])
        #expect(upgraded["version"] == .string(target) && upgraded["status"] == "active")
        #expect(upgraded[path: "nodePools", 0, "version"] == .string(target), "the node pool follows the control plane")
        let updates = try nodePoolUpdates(fake)
        #expect(updates.map(\.pool) == ["default"])
        #expect(updates.first?.body == ["nodeVersion": .string(target), "imageType": "COS_CONTAINERD"])

        _ = try await agent.result("createNodePool", ["provider": "gke", "cluster": "demo", "name": "batch", "nodeCount": 1, "wait": true])
        let batch = try await agent.result("getNodePool", ["provider": "gke", "cluster": "demo", "name": "batch"])
        #expect(batch["status"] == "active" && batch["nodeCount"] == 1 && batch["providerStatus"] == "RUNNING")
        #expect(try await agent.result("waitClusterReady", ["provider": "gke", "name": "demo"])["status"] == "active")
        #expect(try await agent.result("listNodePools", ["provider": "gke", "cluster": "demo"])["nodePools"]?.names == ["batch", "default"])
        _ = try await agent.result("deleteNodePool", ["provider": "gke", "cluster": "demo", "name": "batch", "wait": true])

        let deleted = try await agent.result("deleteCluster", ["provider": "gke", "name": "demo", "wait": true])
        #expect(deleted["status"] == "deleted")
        try await agent.failure("getCluster", ["provider": "gke", "name": "demo"], code: Code.notFound)
        #expect(fake.refusedTokens == 0)
    }

    /// Without node pools only the control plane moves; asking again upgrades the pools left
    /// behind, one at a time; a node pool operation that fails reaches the caller.
    @Test func nodePoolsFollowTheControlPlaneOneAtATimeWhenAsked() async throws {
        let (agent, fake) = try await agent(operationDuration: .milliseconds(150))
        _ = try await agent.result("createCluster", ["provider": "gke", "name": "pools", "nodeCount": 1, "version": "1.30", "wait": true])
        _ = try await agent.result("createNodePool", ["provider": "gke", "cluster": "pools", "name": "batch", "nodeCount": 1, "wait": true])
        let target = "1.31.5-gke.1000000"

        let master = try await agent.result("upgradeCluster", ["provider": "gke", "name": "pools", "version": "1.31", "nodePools": false, "wait": true])
        #expect(master["version"] == .string(target) && master["status"] == "active")
        #expect(master["nodePools"]?.arrayValue?.compactMap { $0["version"]?.stringValue }.allSatisfy { $0.hasPrefix("1.30.") } == true)
        #expect(try nodePoolUpdates(fake).isEmpty)

        let (progress, response) = try await agent.progressAndResponse("upgradeCluster", ["provider": "gke", "name": "pools", "version": "1.31", "wait": true])
        let upgraded = try #require(response["result"], "\(response)")
        #expect(upgraded["status"] == "active")
        #expect(upgraded["nodePools"]?.arrayValue?.map { $0["version"] } == [.string(target), .string(target)])
        let messages = progress.compactMap { $0["message"]?.stringValue }
        // The wait samples the phase as it polls, so a loaded machine may miss one of the two;
        // each one seen must name its pool and place.
        let phases = messages.filter { $0.contains("upgrading node pool ") }
        #expect(!phases.isEmpty, "\(messages)")
        #expect(phases.allSatisfy { $0.contains("upgrading node pool batch to \(target) (1 of 2)") || $0.contains("upgrading node pool default to \(target) (2 of 2)") },
                "\(messages)")
        #expect(try nodePoolUpdates(fake).map(\.pool) == ["batch", "default"], "one pool after the other")
        #expect(try await agent.result("upgradeCluster", ["provider": "gke", "name": "pools", "version": "1.31"])["status"] == "active", "nothing left to do")

        fake.failNextOperation(ofType: "UPGRADE_NODES", message: "Nodes could not be drained: PodDisruptionBudget blocks eviction")
        let error = try await agent.failure("upgradeCluster", ["provider": "gke", "name": "pools", "version": "1.32", "wait": true], code: -32009)
        #expect(error[path: "data", "code"] == "OperationFailed")
        #expect(error["message"]?.stringValue?.contains("upgrading node pool batch to 1.32.1-gke.1200000 failed: Nodes could not be drained") == true,
                "\(error)")
    }

    /// A one-shot `cloud-agent call upgradeCluster` is the whole agent: it exits only once the
    /// node pool upgrades its answer promised are done.
    @Test func aOneShotUpgradeCallStaysUntilTheNodePoolsAreUpgraded() async throws {
        let (agent, fake) = try await agent(operationDuration: .milliseconds(150))
        _ = try await agent.result("createCluster", ["provider": "gke", "name": "oneshot", "nodeCount": 1, "version": "1.30", "wait": true])
        let configFile = "\(agent.home["XDG_CONFIG_HOME"]!)/cloud-agent/config.json"
        try FileManager.default.createDirectory(atPath: "\(agent.home["XDG_CONFIG_HOME"]!)/cloud-agent", withIntermediateDirectories: true)
        try Data(JSONSerializer.string(["providers": [Self.entry(fake)]]).utf8).write(to: URL(fileURLWithPath: configFile))
        let call = try await AgentProcess.run(["call", "--config", configFile, "--compact", "upgradeCluster",
                                               #"{"provider":"gke","name":"oneshot","version":"1.31"}"#],
                                              environment: agent.home.merging(["GOOGLE_OAUTH_ACCESS_TOKEN": ""]) { _, new in new })
        #expect(call.status == 0, "\(call.stderr)")
        #expect(try JSONParser.parse(call.stdout)["status"] == "updating")
        let pool = try await agent.result("getNodePool", ["provider": "gke", "cluster": "oneshot", "name": "default"])
        #expect(pool["version"] == "1.31.5-gke.1000000", "upgraded before the call exited: \(pool)")
    }

    @Test func clustersAreListedForOneLocationOrAll() async throws {
        let (agent, fake) = try await agent(operationDuration: .milliseconds(100))
        _ = try await agent.result("createCluster", ["provider": "gke", "name": "central", "nodeCount": 1])
        _ = try await agent.result("createCluster", ["provider": "gke", "name": "east", "nodeCount": 1, "region": "us-east1"])
        #expect(try await agent.result("listClusters", ["provider": "gke"])["clusters"]?.names == ["central", "east"])
        let east = try await agent.result("listClusters", ["provider": "gke", "region": "us-east1"])
        #expect(east["clusters"]?.names == ["east"] && east[path: "clusters", 0, "region"] == "us-east1")
        #expect(try await agent.result("listClusters", ["provider": "gke", "region": "us-central1-a"])["clusters"]?.names == ["central"])
        let paths = fake.receivedRequests.filter { $0.method == "GET" && $0.url.path.hasSuffix("/clusters") }.map(\.url.path)
        #expect(paths == ["/v1/projects/my-project-1/locations/-/clusters", "/v1/projects/my-project-1/locations/us-east1/clusters",
                          "/v1/projects/my-project-1/locations/us-central1-a/clusters"])
    }

    @Test func aFailedCreateOperationMakesTheClusterFailedWithGooglesMessage() async throws {
        let (agent, fake) = try await agent(operationDuration: .milliseconds(100))
        fake.failNextOperation(ofType: "CREATE_CLUSTER", message: "Insufficient regional quota to satisfy request: resource \"CPUS\"")
        let error = try await agent.failure("createCluster", ["provider": "gke", "name": "broke", "nodeCount": 1, "wait": true], code: -32009)
        #expect(error["message"]?.stringValue?.contains("Insufficient regional quota") == true, "\(error)")
        let cluster = try await agent.result("getCluster", ["provider": "gke", "name": "broke"])
        #expect(cluster["status"] == "failed" && cluster["providerStatus"] == "ERROR")
    }

    @Test func anInstanceRunsStopsStartsAndIsDeletedAndListsByLabel() async throws {
        let (agent, fake) = try await agent()
        let instance = try await agent.result("createInstance", ["provider": "gke", "name": "web-1", "instanceType": "e2-small",
                                                                 "tags": ["role": "web"], "clientToken": "deploy-1", "wait": true])
        #expect(instance["state"] == "running" && instance["id"] == "us-central1-a/web-1" && instance["instanceType"] == "e2-small")
        #expect(instance["publicIP"]?.stringValue?.hasPrefix("34.") == true)
        // The same clientToken: Compute answers the first operation; nothing new is made.
        let again = try await agent.result("createInstance", ["provider": "gke", "name": "web-1", "instanceType": "e2-small",
                                                              "tags": ["role": "web"], "clientToken": "deploy-1"])
        #expect(again["id"] == instance["id"])
        #expect(try await agent.result("listInstances", ["provider": "gke"])["instances"]?.names == ["web-1"])
        _ = try await agent.result("createInstance", ["provider": "gke", "name": "db-1", "tags": ["role": "db"], "wait": true])
        #expect(try await agent.result("listInstances", ["provider": "gke", "tags": ["role": "web"]])["instances"]?.names == ["web-1"])
        #expect(try await agent.result("listInstances", ["provider": "gke", "zone": "us-central1-a", "limit": 1])["nextPageToken"] != nil)

        let id = try #require(instance["id"])
        #expect(try await agent.result("waitInstanceReady", ["provider": "gke", "id": id])["state"] == "running")
        #expect(try await agent.result("getInstance", ["provider": "gke", "id": "web-1"])["id"] == id, "a bare name means the default zone")
        #expect(try await agent.result("stopInstance", ["provider": "gke", "id": id, "wait": true])["state"] == "stopped")
        #expect(try await agent.result("startInstance", ["provider": "gke", "id": id, "wait": true])["state"] == "running")
        #expect(try await agent.result("terminateInstance", ["provider": "gke", "id": id, "wait": true])["state"] == "deleted")
        try await agent.failure("getInstance", ["provider": "gke", "id": id], code: Code.notFound)
        let inserts = fake.receivedRequests.filter { $0.method == "POST" && $0.url.path.hasSuffix("/instances") }
        #expect(inserts.count == 3 && inserts[0].url.query == inserts[1].url.query, "web-1 twice with one requestId, then db-1")
    }

    @Test func throttlingIsRetriedAndAnExpiredTokenIsUnauthenticated() async throws {
        let (agent, fake) = try await agent()
        fake.failNext(2, status: 429, retryAfterSeconds: 0)
        #expect(try await agent.result("listClusters", ["provider": "gke"]) == ["clusters": []])
        fake.expireToken("ya29.fake-token")
        let error = try await agent.failure("listClusters", ["provider": "gke"], code: -32004)
        #expect(error[path: "data", "type"] == "unauthenticated")
        #expect(!agent.stderr.contains("ya29.fake-token"))
    }

    /// An authorized_user credentials file (as `gcloud auth application-default login` writes
    /// it): the refresh token is traded at the token endpoint, and traded again once the
    /// access token is refused.
    @Test func anAuthorizedUserFileIsRefreshedAtTheTokenEndpointAndAgainWhenRefused() async throws {
        let fake = try FakeGoogleCloud(operationDuration: .milliseconds(100), tokens: [])
        fake.acceptRefreshToken("1//refresh-secret")
        let file = "\(try Files.temporaryDirectory())/adc.json"
        try Data(JSONSerializer.string(["type": "authorized_user", "client_id": "1234.apps.googleusercontent.com",
                                        "client_secret": "client-secret-value", "refresh_token": "1//refresh-secret",
                                        "token_uri": .string(fake.baseURL.absoluteString + "/token"), "quota_project_id": "my-project-1"]).utf8)
            .write(to: URL(fileURLWithPath: file))
        let agent = try await LocalAgent(providers: [LocalAgent.instant, [
            "name": "gke", "kind": "gcp", "location": "us-central1-a", "endpointURL": .string(fake.baseURL.absoluteString),
            "credentialsFile": .string(file)]], environment: ["GOOGLE_OAUTH_ACCESS_TOKEN": "", "GCE_METADATA_HOST": "127.0.0.1:9"])
        #expect(try await agent.result("listClusters", ["provider": "gke"]) == ["clusters": []], "the project comes from the file")
        #expect(try await agent.result("listClusters", ["provider": "gke"]) == ["clusters": []])
        #expect(fake.tokenGrants == 1, "one grant, then the cached token")
        fake.expireIssuedTokens()
        #expect(try await agent.result("listClusters", ["provider": "gke"]) == ["clusters": []])
        #expect(fake.tokenGrants == 2, "refused once: a new token, and the call sent again")
        let apiCalls = fake.receivedRequests.filter { $0.url.path != "/token" }
        #expect(!apiCalls.isEmpty && apiCalls.allSatisfy { $0.header("x-goog-user-project") == "my-project-1" },
                "the file's quota project is charged")
        #expect(fake.receivedRequests.filter { $0.url.path == "/token" }.allSatisfy { $0.header("x-goog-user-project") == nil })
        #expect(agent.stderr.contains("GCP credentials from"), "the source is logged")
        for secret in ["1//refresh-secret", "client-secret-value", "ya29.issued"] {
            #expect(!agent.stderr.contains(secret), "\(secret) must not be logged")
        }
    }

    /// A service-account key file: the agent signs an RS256 JWT with the key (its own RSA) and
    /// trades it at the token endpoint, which checks the signature with the public key.
    @Test func aServiceAccountKeyFileSignsAJWTTheTokenEndpointVerifies() async throws {
        let vectors = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("CryptoPrimitivesTests/Vectors/rsa-pkcs1v15-sha256.json")
        let keys = try #require(try JSONParser.parse(Array(Data(contentsOf: vectors)))["keys"]?.arrayValue)
        let key = try #require(keys.first { $0["bits"] == 2048 })
        let fake = try FakeGoogleCloud(operationDuration: .milliseconds(100), tokens: [])
        try fake.acceptServiceAccount("agent@my-project-1.iam.gserviceaccount.com", publicKeyPEM: try #require(key["public_pem"]?.stringValue))
        let file = "\(try Files.temporaryDirectory())/service-account.json"
        try Data(JSONSerializer.string([
            "type": "service_account", "project_id": "my-project-1", "private_key_id": "0123abcd",
            "private_key": try #require(key["pkcs8_pem"]), "client_email": "agent@my-project-1.iam.gserviceaccount.com",
            "client_id": "1234", "token_uri": .string(fake.baseURL.absoluteString + "/token"),
        ]).utf8).write(to: URL(fileURLWithPath: file))
        let agent = try await LocalAgent(providers: [LocalAgent.instant, [
            "name": "gke", "kind": "gcp", "location": "us-central1-a", "endpointURL": .string(fake.baseURL.absoluteString)]],
            environment: ["GOOGLE_OAUTH_ACCESS_TOKEN": "", "GOOGLE_APPLICATION_CREDENTIALS": file, "GCE_METADATA_HOST": "127.0.0.1:9"])
        #expect(try await agent.result("listClusters", ["provider": "gke"]) == ["clusters": []])
        #expect(fake.tokenGrants == 1)
        #expect(agent.stderr.contains("agent@my-project-1.iam.gserviceaccount.com"), "the source is logged by its email")
        #expect(!agent.stderr.contains("PRIVATE KEY") && !agent.stderr.contains("ya29.issued"))
    }
}
