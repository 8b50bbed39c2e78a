import JSONRPC
import Testing
import TestSupport

/// The node pool methods on the `local` provider, through the real binary over stdio.
@Suite struct LocalNodePoolTests {
    /// An agent with an instant `local` provider holding cluster `demo` (1.33, pool `default`).
    private func agentWithCluster(version: String = "1.33") async throws -> LocalAgent {
        let agent = try await LocalAgent()
        _ = try await agent.result("createCluster", ["name": "demo", "version": .string(version)])
        return agent
    }

    /// Adds a provider `slowview` on the same state file as `local`, paced so that every change
    /// made through it stays in progress for the whole test.
    private func addSlowView(to agent: LocalAgent) async throws {
        _ = try await agent.result("configureProvider", ["name": "slowview", "kind": "local", "timeScale": 1000,
                                                          "stateFile": .string(agent.stateFile())])
    }

    @Test func createNodePoolWithoutWaitAppliesDefaults() async throws {
        let agent = try await agentWithCluster()
        let pool = try await agent.result("createNodePool", ["cluster": "demo", "name": "workers"])
        #expect(pool["name"] == "workers")
        #expect(pool["cluster"] == "demo")
        #expect(pool["nodeCount"] == 3)
        #expect(pool["nodeType"] == "local.medium")
        #expect(pool["version"] == "1.33", "the cluster's version")
        #expect(pool["status"] == "active", "instant provider")
        #expect(pool["providerStatus"] == "ACTIVE")
        #expect(pool["id"]?.stringValue?.hasPrefix("np-") == true)
        #expect(try await agent.result("getNodePool", ["cluster": "demo", "name": "workers"]) == pool)
        let cluster = try await agent.result("getCluster", ["name": "demo"])
        #expect(cluster["nodePools"]?.names == ["default", "workers"])
    }

    @Test func createNodePoolWithWaitAnswersTheActivePool() async throws {
        let agent = try await agentWithCluster()
        let pool = try await agent.result("createNodePool", [
            "cluster": "demo", "name": "gpu", "nodeCount": 2, "nodeType": "local.large", "version": "1.31", "wait": true,
        ])
        #expect(pool["status"] == "active")
        #expect(pool["nodeCount"] == 2)
        #expect(pool["nodeType"] == "local.large")
        #expect(pool["version"] == "1.31", "up to two minor versions older than the control plane")
        try await agent.failure("createNodePool", ["cluster": "demo", "name": "ancient", "version": "1.30"],
                                code: Code.invalidParams, param: "version")
        try await agent.failure("createNodePool", ["cluster": "demo", "name": "future", "version": "1.34"],
                                code: Code.invalidParams, param: "version")
        try await agent.failure("createNodePool", ["cluster": "demo", "name": "Bad_Pool"], code: Code.invalidParams, param: "name")
        try await agent.failure("createNodePool", ["cluster": "demo", "name": "toolongpoolname"], code: Code.invalidParams, param: "name")
        try await agent.failure("createNodePool", ["cluster": "demo", "name": "huge", "nodeCount": 101], code: Code.invalidParams, param: "nodeCount")
        try await agent.failure("createNodePool", ["cluster": "nope", "name": "workers"], code: Code.notFound)
    }

    @Test func creatingANodePoolTwiceIsAConflict() async throws {
        let agent = try await agentWithCluster()
        _ = try await agent.result("createNodePool", ["cluster": "demo", "name": "workers", "nodeCount": 1])
        let error = try await agent.failure("createNodePool", ["cluster": "demo", "name": "workers"], code: Code.conflict)
        #expect(error["data"]?["resourceType"] == "node pool")
        #expect(error["data"]?["name"] == "demo/workers")
        #expect(error["data"]?["reason"]?.stringValue?.contains("already exists") == true)
        try await agent.failure("createNodePool", ["cluster": "demo", "name": "default"], code: Code.conflict)
        #expect(try await agent.result("getNodePool", ["cluster": "demo", "name": "workers"])["nodeCount"] == 1)
    }

    @Test func listNodePoolsPagesInNameOrder() async throws {
        let agent = try await agentWithCluster()
        for name in ["zeta", "alpha", "mid"] {
            _ = try await agent.result("createNodePool", ["cluster": "demo", "name": .string(name), "nodeCount": 1])
        }
        let all = try await agent.result("listNodePools", ["cluster": "demo"])
        #expect(all["nodePools"]?.names == ["alpha", "default", "mid", "zeta"])
        #expect(all["nextPageToken"] == nil)
        var names: [String] = []
        var token: JSONValue?
        var pages = 0
        repeat {
            var params: [String: JSONValue] = ["cluster": "demo", "limit": 3]
            if let token { params["pageToken"] = token }
            let page = try await agent.result("listNodePools", .object(params))
            names += page["nodePools"]?.names ?? []
            token = page["nextPageToken"]
            pages += 1
        } while token != nil && pages < 10
        #expect(pages == 2)
        #expect(names == ["alpha", "default", "mid", "zeta"])
        try await agent.failure("listNodePools", ["cluster": "demo", "pageToken": "bogus"], code: Code.invalidParams, param: "pageToken")
        try await agent.failure("listNodePools", ["cluster": "nope"], code: Code.notFound)
        try await agent.failure("getNodePool", ["cluster": "demo", "name": "nope"], code: Code.notFound)
    }

    @Test func scaleNodePoolWithAndWithoutWait() async throws {
        let agent = try await agentWithCluster()
        let grown = try await agent.result("scaleNodePool", ["cluster": "demo", "name": "default", "nodeCount": 5])
        #expect(grown["nodeCount"] == 5)
        #expect(grown["status"] == "active")
        #expect(try await agent.result("getNodePool", ["cluster": "demo", "name": "default"])["nodeCount"] == 5)
        let shrunk = try await agent.result("scaleNodePool", ["cluster": "demo", "name": "default", "nodeCount": 1, "wait": true])
        #expect(shrunk["nodeCount"] == 1)
        #expect(shrunk["status"] == "active")
        let same = try await agent.result("scaleNodePool", ["cluster": "demo", "name": "default", "nodeCount": 1])
        #expect(same == shrunk, "the same count answers the pool unchanged")
        let zero = try await agent.result("scaleNodePool", ["cluster": "demo", "name": "default", "nodeCount": 0, "wait": true])
        #expect(zero["nodeCount"] == 0)
        #expect(try await agent.result("getCluster", ["name": "demo"])[path: "nodePools", 0, "nodeCount"] == 0)
        try await agent.failure("scaleNodePool", ["cluster": "demo", "name": "default", "nodeCount": 101], code: Code.invalidParams, param: "nodeCount")
        try await agent.failure("scaleNodePool", ["cluster": "demo", "name": "default", "nodeCount": -1], code: Code.invalidParams, param: "nodeCount")
        try await agent.failure("scaleNodePool", ["cluster": "demo", "name": "default"], code: Code.invalidParams, param: "nodeCount")
        try await agent.failure("scaleNodePool", ["cluster": "demo", "name": "nope", "nodeCount": 2], code: Code.notFound)
    }

    @Test func scalingANodePoolThatIsUpdatingIsAConflict() async throws {
        let agent = try await agentWithCluster()
        try await addSlowView(to: agent)
        let scaling = try await agent.result("scaleNodePool", ["provider": "slowview", "cluster": "demo", "name": "default", "nodeCount": 5])
        #expect(scaling["status"] == "updating")
        #expect(scaling["providerStatus"] == "UPDATING")
        #expect(scaling["statusMessage"] == "scaling from 3 to 5 nodes")
        #expect(scaling["nodeCount"] == 3, "the count changes when the scaling is done")
        let error = try await agent.failure("scaleNodePool", ["provider": "slowview", "cluster": "demo", "name": "default", "nodeCount": 7],
                                            code: Code.conflict)
        #expect(error["data"]?["name"] == "demo/default")
        #expect(error["data"]?["reason"]?.stringValue?.contains("updating") == true)
        let again = try await agent.result("scaleNodePool", ["provider": "slowview", "cluster": "demo", "name": "default", "nodeCount": 5])
        #expect(again == scaling, "asking again for the size under way answers the pool as it is")
        try await agent.failure("deleteNodePool", ["provider": "slowview", "cluster": "demo", "name": "default"], code: Code.conflict)
        #expect(try await agent.result("getNodePool", ["cluster": "demo", "name": "default"])["status"] == "updating",
                "the other provider on the same state file sees the change in progress")
    }

    @Test func deleteNodePoolWithWaitRemovesIt() async throws {
        let agent = try await agentWithCluster()
        _ = try await agent.result("createNodePool", ["cluster": "demo", "name": "extra", "nodeCount": 1])
        let deleted = try await agent.result("deleteNodePool", ["cluster": "demo", "name": "extra", "wait": true])
        #expect(deleted["name"] == "extra")
        #expect(deleted["status"] == "deleted")
        try await agent.failure("getNodePool", ["cluster": "demo", "name": "extra"], code: Code.notFound)
        #expect(try await agent.result("listNodePools", ["cluster": "demo"])["nodePools"]?.names == ["default"])
        #expect(try await agent.result("getCluster", ["name": "demo"])["nodePools"]?.names == ["default"])
        try await agent.failure("deleteNodePool", ["cluster": "demo", "name": "extra"], code: Code.notFound)
        // The name is free again.
        #expect(try await agent.result("createNodePool", ["cluster": "demo", "name": "extra"])["status"] == "active")
    }

    @Test func deleteNodePoolWithoutWaitAnswersTheDeletingPool() async throws {
        let agent = try await agentWithCluster()
        try await addSlowView(to: agent)
        let deleting = try await agent.result("deleteNodePool", ["provider": "slowview", "cluster": "demo", "name": "default"])
        #expect(deleting["status"] == "deleting")
        #expect(deleting["providerStatus"] == "DELETING")
        #expect(try await agent.result("getNodePool", ["cluster": "demo", "name": "default"])["status"] == "deleting")
        let again = try await agent.result("deleteNodePool", ["provider": "slowview", "cluster": "demo", "name": "default"])
        #expect(again["status"] == "deleting", "deleting a pool being deleted answers it unchanged")

        let quick = try await agent.result("createNodePool", ["cluster": "demo", "name": "quick", "nodeCount": 1])
        #expect(quick["status"] == "active")
        let gone = try await agent.result("deleteNodePool", ["cluster": "demo", "name": "quick"])
        #expect(gone["name"] == "quick")
        try await agent.failure("getNodePool", ["cluster": "demo", "name": "quick"], code: Code.notFound)
    }

    @Test func aClusterStillBeingCreatedTakesNoNewNodePool() async throws {
        let agent = try await LocalAgent(providers: [LocalAgent.slow])
        let cluster = try await agent.result("createCluster", ["provider": "slow", "name": "young"])
        #expect(cluster[path: "nodePools", 0, "status"] == "creating")
        let error = try await agent.failure("createNodePool", ["provider": "slow", "cluster": "young", "name": "extra"], code: Code.conflict)
        #expect(error["data"]?["resourceType"] == "cluster")
        #expect(error["data"]?["reason"]?.stringValue?.contains("creating") == true)
        try await agent.failure("scaleNodePool", ["provider": "slow", "cluster": "young", "name": "default", "nodeCount": 5], code: Code.conflict)
    }
}
