import Foundation
import JSONRPC
import Testing
import TestSupport

/// The cluster methods on the `local` provider, through the real binary over stdio.
@Suite struct LocalClusterTests {
    @Test func createClusterAppliesTheDocumentedDefaults() async throws {
        let agent = try await LocalAgent()
        let cluster = try await agent.result("createCluster", ["name": "demo"])
        #expect(cluster["name"] == "demo")
        #expect(cluster["provider"] == "local")
        #expect(cluster["cloud"] == "local")
        #expect(cluster["version"] == "1.33")
        #expect(cluster["region"] == "local-1")
        #expect(cluster["status"] == "active", "instant provider")
        #expect(cluster["providerStatus"] == "ACTIVE")
        #expect(cluster["tags"] == [:])
        #expect(cluster["id"]?.stringValue?.hasPrefix("lc-") == true)
        #expect(cluster["endpoint"]?.stringValue?.hasPrefix("https://") == true)
        #expect(cluster["createdAt"]?.stringValue?.hasSuffix("Z") == true)
        let pools = try #require(cluster["nodePools"]?.arrayValue)
        #expect(pools.count == 1)
        #expect(pools.first?["name"] == "default")
        #expect(pools.first?["nodeCount"] == 3)
        #expect(pools.first?["nodeType"] == "local.medium")
        #expect(pools.first?["version"] == "1.33")
        #expect(pools.first?["cluster"] == "demo")
        #expect(pools.first?["status"] == "active")
    }

    @Test func createClusterTakesVersionRegionSizeTypeAndTags() async throws {
        let agent = try await LocalAgent()
        let cluster = try await agent.result("createCluster", [
            "name": "custom", "version": "1.32", "region": "eu-west-9", "nodeCount": 5, "nodeType": "local.large",
            "tags": ["team": "platform"], "subnets": ["subnet-a"],
        ])
        #expect(cluster["version"] == "1.32")
        #expect(cluster["region"] == "eu-west-9")
        #expect(cluster["tags"] == ["team": "platform"])
        #expect(cluster[path: "nodePools", 0, "nodeCount"] == 5)
        #expect(cluster[path: "nodePools", 0, "nodeType"] == "local.large")
        #expect(cluster[path: "nodePools", 0, "version"] == "1.32")
        let bare = try await agent.result("createCluster", ["name": "bare", "nodeCount": 0])
        #expect(bare["nodePools"] == [], "nodeCount 0 creates no node pool")
        #expect(bare["status"] == "active")
        try await agent.failure("createCluster", ["name": "old", "version": "1.20"], code: Code.invalidParams, param: "version")
    }

    @Test func getClusterAnswersTheClusterAsCreated() async throws {
        let agent = try await LocalAgent()
        let created = try await agent.result("createCluster", ["name": "demo", "tags": ["env": "test"]])
        let fetched = try await agent.result("getCluster", ["name": "demo"])
        #expect(fetched == created)
        let missing = try await agent.failure("getCluster", ["name": "nope"], code: Code.notFound)
        #expect(missing["data"] == ["type": "notFound", "resourceType": "cluster", "name": "nope"])
    }

    @Test func creatingAClusterTwiceIsAConflict() async throws {
        let agent = try await LocalAgent()
        let first = try await agent.result("createCluster", ["name": "demo"])
        let error = try await agent.failure("createCluster", ["name": "demo", "nodeCount": 1], code: Code.conflict)
        #expect(error["data"]?["type"] == "conflict")
        #expect(error["data"]?["resourceType"] == "cluster")
        #expect(error["data"]?["name"] == "demo")
        #expect(error["data"]?["reason"]?.stringValue?.contains("already exists") == true)
        #expect(try await agent.result("getCluster", ["name": "demo"]) == first, "the refused create changed nothing")
    }

    @Test func listClustersPagesThroughEveryClusterExactlyOnceInNameOrder() async throws {
        let agent = try await LocalAgent()
        #expect(try await agent.result("listClusters") == ["clusters": []])
        let names = ["echo", "alpha", "delta", "charlie", "bravo"]
        for name in names {
            _ = try await agent.result("createCluster", ["name": .string(name), "nodeCount": 1])
        }
        var seen: [String] = []
        var pageSizes: [Int] = []
        var token: JSONValue?
        repeat {
            var params: [String: JSONValue] = ["limit": 2]
            if let token { params["pageToken"] = token }
            let page = try await agent.result("listClusters", .object(params))
            let clusters = try #require(page["clusters"]?.arrayValue)
            pageSizes.append(clusters.count)
            seen += clusters.compactMap { $0["name"]?.stringValue }
            token = page["nextPageToken"]
            #expect(token == nil || token?.stringValue?.isEmpty == false)
        } while token != nil && pageSizes.count < 10
        #expect(pageSizes == [2, 2, 1])
        #expect(seen == names.sorted())
        let all = try await agent.result("listClusters")
        #expect(all["clusters"]?.names == names.sorted())
        #expect(all["nextPageToken"] == nil)
        #expect(all[path: "clusters", 0, "nodePools", 0, "name"] == "default", "listed clusters are complete")

        _ = try await agent.result("createCluster", ["name": "foxtrot", "region": "local-2", "nodeCount": 1])
        #expect(try await agent.result("listClusters", ["region": "local-2"])["clusters"]?.names == ["foxtrot"])
        #expect(try await agent.result("listClusters", ["region": "local-1"])["clusters"]?.names == names.sorted())
        #expect(try await agent.result("listClusters", ["region": "local-9"]) == ["clusters": []])
        try await agent.failure("listClusters", ["region": "Not A Region"], code: Code.invalidParams, param: "region")
    }

    @Test func listClustersRefusesABogusPageTokenAndABadLimit() async throws {
        let agent = try await LocalAgent()
        _ = try await agent.result("createCluster", ["name": "one"])
        let bogus = try await agent.failure("listClusters", ["pageToken": "bogus"], code: Code.invalidParams, param: "pageToken")
        #expect(bogus[path: "data", "type"] == "invalidRequest", "a token the provider did not make")
        try await agent.failure("listClusters", ["pageToken": ""], code: Code.invalidParams, param: "pageToken")
        try await agent.failure("listClusters", ["limit": 0], code: Code.invalidParams, param: "limit")
        try await agent.failure("listClusters", ["limit": 1001], code: Code.invalidParams, param: "limit")
    }

    @Test func deleteClusterWithWaitRemovesTheClusterAndItsNodePools() async throws {
        let agent = try await LocalAgent()
        _ = try await agent.result("createCluster", ["name": "doomed"])
        _ = try await agent.result("createNodePool", ["cluster": "doomed", "name": "extra", "nodeCount": 1])
        _ = try await agent.result("createCluster", ["name": "survivor", "nodeCount": 1])
        let deleted = try await agent.result("deleteCluster", ["name": "doomed", "wait": true])
        #expect(deleted["name"] == "doomed")
        #expect(deleted["status"] == "deleted")
        #expect(deleted["nodePools"] == [])
        #expect(deleted["endpoint"] == nil, "a deleted cluster has no endpoint")
        let missing = try await agent.failure("getCluster", ["name": "doomed"], code: Code.notFound)
        #expect(missing["data"]?["resourceType"] == "cluster")
        for pool in ["default", "extra"] {
            try await agent.failure("getNodePool", ["cluster": "doomed", "name": .string(pool)], code: Code.notFound)
        }
        try await agent.failure("listNodePools", ["cluster": "doomed"], code: Code.notFound)
        #expect(try await agent.result("listClusters")["clusters"]?.names == ["survivor"])
        try await agent.failure("deleteCluster", ["name": "doomed"], code: Code.notFound)
        // The name is free again.
        #expect(try await agent.result("createCluster", ["name": "doomed"])["status"] == "active")
    }

    @Test func deleteClusterWithoutWaitAnswersAtOnce() async throws {
        let agent = try await LocalAgent(providers: [LocalAgent.instant, LocalAgent.slow])
        _ = try await agent.result("createCluster", ["name": "quick"])
        let deleted = try await agent.result("deleteCluster", ["name": "quick"])
        #expect(deleted["name"] == "quick")
        try await agent.failure("getCluster", ["name": "quick"], code: Code.notFound)
        // A cluster still being created cannot be deleted yet.
        let creating = try await agent.result("createCluster", ["provider": "slow", "name": "young"])
        #expect(creating["status"] == "creating")
        #expect(creating["provider"] == "slow")
        #expect(creating["statusMessage"] == "creating control plane")
        #expect(creating["endpoint"] == nil)
        let refused = try await agent.failure("deleteCluster", ["provider": "slow", "name": "young"], code: Code.conflict)
        #expect(refused["data"]?["reason"]?.stringValue?.contains("creating") == true)
    }

    @Test func aClusterBeingDeletedAnswersRepeatsUnchangedAndRefusesWhatNeedsItActive() async throws {
        let agent = try await LocalAgent()
        _ = try await agent.result("createCluster", ["name": "demo"])
        // The same state file, paced so that the deletion takes a long time.
        _ = try await agent.result("configureProvider", ["name": "slowview", "kind": "local", "timeScale": 1000,
                                                          "stateFile": .string(agent.stateFile())])
        let deleting = try await agent.result("deleteCluster", ["provider": "slowview", "name": "demo"])
        #expect(deleting["status"] == "deleting")
        #expect(deleting["providerStatus"] == "DELETING")
        #expect(deleting["statusMessage"] == "deleting node pools")
        #expect(deleting[path: "nodePools", 0, "status"] == "deleting")
        #expect(deleting["endpoint"] != nil)
        let again = try await agent.result("deleteCluster", ["provider": "slowview", "name": "demo"])
        #expect(again == deleting, "deleting a cluster being deleted answers it unchanged")
        let seen = try await agent.result("getCluster", ["name": "demo"])
        #expect(seen["provider"] == "local", "the provider it was reached through")
        #expect(seen["status"] == "deleting")
        #expect(seen["statusMessage"] == "deleting node pools")
        #expect(try await agent.result("listClusters")["clusters"]?.names == ["demo"], "listed until it is gone")
        let wait = try await agent.failure("waitClusterReady", ["name": "demo"], code: Code.conflict)
        #expect(wait[path: "data", "reason"]?.stringValue?.contains("deleting") == true)
        try await agent.failure("getKubeconfig", ["name": "demo"], code: Code.conflict)
        try await agent.failure("upgradeCluster", ["name": "demo", "version": "1.34"], code: Code.conflict)
        try await agent.failure("createNodePool", ["cluster": "demo", "name": "extra"], code: Code.conflict)
        try await agent.failure("createCluster", ["name": "demo"], code: Code.conflict)
    }

    @Test func waitClusterReadyAnswersTheActiveCluster() async throws {
        let agent = try await LocalAgent()
        let created = try await agent.result("createCluster", ["name": "demo"])
        let ready = try await agent.result("waitClusterReady", ["name": "demo"])
        #expect(ready == created)
        #expect(ready["status"] == "active")
        try await agent.failure("waitClusterReady", ["name": "nope"], code: Code.notFound)
        try await agent.failure("waitClusterReady", ["name": "demo", "timeoutSeconds": 0], code: Code.invalidParams, param: "timeoutSeconds")
    }

    @Test func getKubeconfigAnswersAKubeconfigAndWritesItPrivatelyToPath() async throws {
        let agent = try await LocalAgent()
        let cluster = try await agent.result("createCluster", ["name": "demo"])
        let endpoint = try #require(cluster["endpoint"]?.stringValue)
        let answer = try await agent.result("getKubeconfig", ["name": "demo"])
        let yaml = try #require(answer["kubeconfig"]?.stringValue)
        #expect(yaml.contains("server: \(endpoint)\n"))
        #expect(yaml.contains("current-context: local-demo\n"))
        #expect(yaml.contains("kind: Config\n"))
        #expect(answer["path"] == nil)

        let directory = try Files.temporaryDirectory()
        let path = "\(directory)/nested/kubeconfig"
        let written = try await agent.result("getKubeconfig", ["name": "demo", "path": .string(path)])
        #expect(written["path"] == .string(path))
        #expect(written["kubeconfig"] == .string(yaml))
        #expect(Files.read(path) == yaml)
        #expect(Files.mode(path) == 0o600)
        // Replacing a file that others could read leaves it private.
        try Files.write("old", to: path, mode: 0o644)
        _ = try await agent.result("getKubeconfig", ["name": "demo", "path": .string(path)])
        #expect(Files.read(path) == yaml)
        #expect(Files.mode(path) == 0o600)

        try await agent.failure("getKubeconfig", ["name": "demo", "path": "relative/kubeconfig"], code: Code.invalidParams, param: "path")
        try await agent.failure("getKubeconfig", ["name": "nope"], code: Code.notFound)
        // Local kubeconfigs carry a placeholder token: there is no credential plugin to choose.
        try await agent.failure("getKubeconfig", ["name": "demo", "authMode": "agent"], code: Code.invalidParams, param: "authMode")
    }

    /// kubectl is part of the test environment (DEVELOPERS.md): a missing kubectl fails here.
    @Test func kubectlAcceptsTheKubeconfig() async throws {
        try #require(Files.executable("kubectl") != nil, "kubectl must be on PATH to check the kubeconfigs the agent emits")
        let agent = try await LocalAgent()
        let cluster = try await agent.result("createCluster", ["name": "demo"])
        let yaml = try #require(try await agent.result("getKubeconfig", ["name": "demo"])["kubeconfig"]?.stringValue)
        let path = try Files.temporaryDirectory() + "/kubeconfig"
        try Files.write(yaml, to: path)
        let kubectl = try await AgentProcess.run(["config", "view", "--kubeconfig", path, "-o", "json"],
                                                 executableOverride: Files.executable("kubectl"))
        #expect(kubectl.status == 0, "kubectl: \(kubectl.stderr)")
        let view = try JSONParser.parse(kubectl.stdout)
        #expect(view[path: "clusters", 0, "cluster", "server"] == cluster["endpoint"])
        #expect(view[path: "clusters", 0, "name"] == "local-demo")
        #expect(view["current-context"] == "local-demo")
    }

    @Test func getKubeconfigOfAClusterStillBeingCreatedIsAConflict() async throws {
        let agent = try await LocalAgent(providers: [LocalAgent.slow])
        _ = try await agent.result("createCluster", ["provider": "slow", "name": "young"])
        let error = try await agent.failure("getKubeconfig", ["provider": "slow", "name": "young"], code: Code.conflict)
        #expect(error["data"]?["reason"]?.stringValue?.contains("waitClusterReady") == true)
    }

    @Test func upgradeClusterGoesOneMinorVersionAtATime() async throws {
        let agent = try await LocalAgent()
        let created = try await agent.result("createCluster", ["name": "demo", "version": "1.32"])
        _ = try await agent.result("createNodePool", ["cluster": "demo", "name": "extra", "nodeCount": 1])
        let before = try await agent.result("getCluster", ["name": "demo"])
        #expect(created["version"] == "1.32")
        #expect(try await agent.result("getAvailableVersions", ["cluster": "demo"]) == [
            "versions": [["version": "1.33", "isDefault": true, "support": "standard"]],
        ])

        let skipping = try await agent.failure("upgradeCluster", ["name": "demo", "version": "1.34"], code: Code.invalidParams, param: "version")
        #expect(skipping["data"]?["reason"]?.stringValue?.contains("one minor version at a time") == true)
        let downgrade = try await agent.failure("upgradeCluster", ["name": "demo", "version": "1.31"], code: Code.invalidParams, param: "version")
        #expect(downgrade["data"]?["reason"]?.stringValue?.contains("cannot be downgraded") == true)
        try await agent.failure("upgradeCluster", ["name": "demo", "version": "1.35"], code: Code.invalidParams, param: "version")
        try await agent.failure("upgradeCluster", ["name": "demo", "version": "v1.33"], code: Code.invalidParams, param: "version")
        let same = try await agent.result("upgradeCluster", ["name": "demo", "version": "1.32"])
        #expect(same == before, "upgrading to the current version answers the cluster unchanged")
        #expect(try await agent.result("getCluster", ["name": "demo"]) == before)

        let upgraded = try await agent.result("upgradeCluster", ["name": "demo", "version": "1.33", "wait": true])
        #expect(upgraded["version"] == "1.33")
        #expect(upgraded["status"] == "active")
        #expect(upgraded["id"] == created["id"])
        #expect(upgraded["nodePools"]?.arrayValue?.map { $0["version"] } == ["1.33", "1.33"],
                "the node pools are upgraded with the control plane")
        let next = try await agent.result("getAvailableVersions", ["cluster": "demo"])
        #expect(next["versions"]?.arrayValue?.map { $0["version"] } == ["1.34"])
        try await agent.failure("upgradeCluster", ["name": "nope", "version": "1.33"], code: Code.notFound)
    }

    @Test func upgradingAClusterThatIsUpdatingIsAConflict() async throws {
        let agent = try await LocalAgent(providers: [LocalAgent.instant])
        _ = try await agent.result("createCluster", ["name": "demo", "version": "1.32"])
        // The same state file, paced so that the upgrade takes a long time.
        _ = try await agent.result("configureProvider", ["name": "slowview", "kind": "local", "timeScale": 1000,
                                                          "stateFile": .string(agent.stateFile())])
        let upgrading = try await agent.result("upgradeCluster", ["provider": "slowview", "name": "demo", "version": "1.33"])
        #expect(upgrading["status"] == "updating")
        #expect(upgrading["providerStatus"] == "UPDATING")
        #expect(upgrading["statusMessage"] == "upgrading control plane to 1.33")
        #expect(upgrading["version"] == "1.32", "the version changes when the control plane is done")
        #expect(upgrading["endpoint"] != nil, "an updating cluster keeps its endpoint")
        let other = try await agent.failure("upgradeCluster", ["provider": "slowview", "name": "demo", "version": "1.34"], code: Code.conflict)
        #expect(other["data"]?["reason"]?.stringValue?.contains("updating") == true)
        let again = try await agent.result("upgradeCluster", ["provider": "slowview", "name": "demo", "version": "1.33"])
        #expect(again == upgrading, "asking again for the upgrade under way answers the cluster as it is")
        try await agent.failure("deleteCluster", ["provider": "slowview", "name": "demo"], code: Code.conflict)
        try await agent.failure("createNodePool", ["provider": "slowview", "cluster": "demo", "name": "extra"], code: Code.conflict)
        // The instant provider sees the same cluster, still updating.
        #expect(try await agent.result("getCluster", ["name": "demo"])["status"] == "updating")
    }

    @Test func aSimulatedFailureEndsTheWaitWithAProviderError() async throws {
        let agent = try await LocalAgent()
        let error = try await agent.failure("createCluster", ["name": "doomed", "tags": ["local:simulate": "failure"], "wait": true],
                                            code: -32009)
        #expect(error[path: "data", "type"] == "providerError")
        #expect(error[path: "data", "code"] == "ResourceFailed")
        #expect(error[path: "data", "retryable"] == false)
        let cluster = try await agent.result("getCluster", ["name": "doomed"])
        #expect(cluster["status"] == "failed")
        #expect(cluster["providerStatus"] == "FAILED")
        #expect(cluster[path: "nodePools", 0, "status"] == "failed")
        try await agent.failure("waitClusterReady", ["name": "doomed"], code: -32009)
        try await agent.failure("upgradeCluster", ["name": "doomed", "version": "1.34"], code: Code.conflict)
        try await agent.failure("getKubeconfig", ["name": "doomed"], code: Code.conflict)
        // A failed cluster can be deleted.
        #expect(try await agent.result("deleteCluster", ["name": "doomed", "wait": true])["status"] == "deleted")
        try await agent.failure("getCluster", ["name": "doomed"], code: Code.notFound)
    }

    @Test func getKubeconfigThatCannotWriteItsFileSaysSo() async throws {
        let agent = try await LocalAgent()
        _ = try await agent.result("createCluster", ["name": "demo"])
        let error = try await agent.failure("getKubeconfig", ["name": "demo", "path": "/proc/no-such-dir/kubeconfig"], code: -32603)
        #expect(error["data"] == ["type": "fileError", "path": "/proc/no-such-dir/kubeconfig"])
    }

    @Test func getAvailableVersionsListsTheCatalogWithOneDefault() async throws {
        let agent = try await LocalAgent()
        let versions = try #require(try await agent.result("getAvailableVersions")["versions"]?.arrayValue)
        #expect(versions.map { $0["version"] } == ["1.31", "1.32", "1.33", "1.34"])
        #expect(versions.filter { $0["isDefault"] == true }.map { $0["version"] } == ["1.33"])
        #expect(versions.allSatisfy { $0["support"]?.stringValue != nil })
        _ = try await agent.result("createCluster", ["name": "newest", "version": "1.34"])
        #expect(try await agent.result("getAvailableVersions", ["cluster": "newest"]) == ["versions": []])
        try await agent.failure("getAvailableVersions", ["cluster": "nope"], code: Code.notFound)
        try await agent.failure("getAvailableVersions", ["cluster": "Not A Name"], code: Code.invalidParams, param: "cluster")
    }
}
