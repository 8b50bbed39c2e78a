import JSONRPC
import Testing
import TestSupport

/// The instance methods on the `local` provider, through the real binary over stdio.
@Suite struct LocalInstanceTests {
    @Test func createInstanceAppliesDefaultsAndGetInstanceAnswersIt() async throws {
        let agent = try await LocalAgent()
        let instance = try await agent.result("createInstance", ["name": "web-1", "tags": ["role": "web"]])
        #expect(instance["name"] == "web-1")
        #expect(instance["provider"] == "local")
        #expect(instance["cloud"] == "local")
        #expect(instance["state"] == "running", "instant provider")
        #expect(instance["providerState"] == "running")
        #expect(instance["instanceType"] == "local.small")
        #expect(instance["image"] == "local-linux-24.04")
        #expect(instance["zone"] == "local-1a")
        #expect(instance["tags"] == ["role": "web"])
        let id = try #require(instance["id"]?.stringValue)
        #expect(id.hasPrefix("i-"))
        #expect(instance["publicIP"]?.stringValue?.hasPrefix("203.0.113.") == true)
        #expect(instance["privateIP"]?.stringValue?.hasPrefix("10.") == true)
        #expect(try await agent.result("getInstance", ["id": .string(id)]) == instance)
        #expect(try await agent.result("waitInstanceReady", ["id": .string(id)]) == instance)

        let custom = try await agent.result("createInstance", [
            "name": "db-1", "instanceType": "local.large", "image": "local-debian-12", "zone": "local-1c",
            "sshPublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBmBXKbQ3FgC3lJcHbuPsB8aQ3o2JXH6mWZ8dGXUvVbE me@host",
            "userData": "#cloud-config\n", "wait": true,
        ])
        #expect(custom["instanceType"] == "local.large")
        #expect(custom["image"] == "local-debian-12")
        #expect(custom["zone"] == "local-1c")
        #expect(custom["state"] == "running")
        try await agent.failure("createInstance", ["name": "elsewhere", "zone": "us-east-1a"], code: Code.invalidParams, param: "zone")
        try await agent.failure("createInstance", ["name": "Web_1"], code: Code.invalidParams, param: "name")
        try await agent.failure("createInstance", ["name": "keyed", "sshPublicKey": "not a key"], code: Code.invalidParams, param: "sshPublicKey")
        try await agent.failure("getInstance", ["id": "i-00000000000000000"], code: Code.notFound)
        try await agent.failure("getInstance", ["id": ""], code: Code.invalidParams, param: "id")
    }

    @Test func instanceNamesAreUniqueAmongInstancesNotTerminated() async throws {
        let agent = try await LocalAgent()
        let first = try await agent.result("createInstance", ["name": "web"])
        let error = try await agent.failure("createInstance", ["name": "web"], code: Code.conflict)
        #expect(error["data"]?["resourceType"] == "instance")
        #expect(error["data"]?["reason"]?.stringValue?.contains(first["id"]?.stringValue ?? "?") == true)
        _ = try await agent.result("terminateInstance", ["id": try #require(first["id"]), "wait": true])
        let second = try await agent.result("createInstance", ["name": "web"])
        #expect(second["id"] != first["id"])
        #expect(second["state"] == "running")
    }

    @Test func listInstancesPagesInNameOrderAndKeepsTerminatedOnes() async throws {
        let agent = try await LocalAgent()
        var bravo: JSONValue?
        for name in ["charlie", "alpha", "bravo"] {
            bravo = try await agent.result("createInstance", ["name": .string(name)])["id"]
        }
        _ = try await agent.result("terminateInstance", ["id": try #require(bravo), "wait": true])
        let all = try await agent.result("listInstances")
        let instances = try #require(all["instances"]?.arrayValue)
        try #require(instances.names == ["alpha", "bravo", "charlie"])
        #expect(instances.map { $0["state"] } == ["running", "deleted", "running"], "terminated instances stay listed, as on EC2")
        #expect(instances[1]["providerState"] == "terminated")
        #expect(all["nextPageToken"] == nil)

        let first = try await agent.result("listInstances", ["limit": 2])
        #expect(first["instances"]?.names == ["alpha", "bravo"])
        let token = try #require(first["nextPageToken"])
        let second = try await agent.result("listInstances", ["limit": 2, "pageToken": token])
        #expect(second["instances"]?.names == ["charlie"])
        #expect(second["nextPageToken"] == nil)
        try await agent.failure("listInstances", ["pageToken": "bogus"], code: Code.invalidParams, param: "pageToken")
    }

    @Test func aCreateRepeatedWithItsClientTokenAnswersTheSameInstance() async throws {
        let agent = try await LocalAgent()
        let first = try await agent.result("createInstance", ["name": "web", "clientToken": "deploy-42"])
        let again = try await agent.result("createInstance", ["name": "web", "clientToken": "deploy-42"])
        #expect(again["id"] == first["id"])
        #expect(try await agent.result("listInstances")["instances"]?.arrayValue?.count == 1)
        let misuse = try await agent.failure("createInstance", ["name": "db", "clientToken": "deploy-42"], code: Code.conflict)
        #expect(misuse["message"]?.stringValue?.contains("other params") == true)
        // Without the key, a repeat is a new request: refused, the name being in use.
        try await agent.failure("createInstance", ["name": "web"], code: Code.conflict)
        let clusterToken: JSONValue = "cluster-token-1"
        let cluster = try await agent.result("createCluster", ["name": "demo", "clientToken": clusterToken])
        #expect(try await agent.result("createCluster", ["name": "demo", "clientToken": clusterToken])["id"] == cluster["id"])
        try await agent.failure("createCluster", ["name": "demo", "clientToken": "another"], code: Code.conflict)
    }

    @Test func listInstancesFiltersByTagsAndStatesBeforePaging() async throws {
        let agent = try await LocalAgent()
        var ids: [String: JSONValue] = [:]
        for (name, role) in [("web-1", "web"), ("web-2", "web"), ("db-1", "db"), ("web-3", "web")] {
            ids[name] = try await agent.result("createInstance", ["name": .string(name), "tags": ["role": .string(role), "env": "prod"]])["id"]
        }
        _ = try await agent.result("stopInstance", ["id": try #require(ids["web-2"]), "wait": true])
        let web = try await agent.result("listInstances", ["tags": ["role": "web"], "limit": 2])
        #expect(web["instances"]?.names == ["web-1", "web-2"], "a full page of matches, not a page thinned by the filter")
        let rest = try await agent.result("listInstances", ["tags": ["role": "web"], "limit": 2, "pageToken": try #require(web["nextPageToken"])])
        #expect(rest["instances"]?.names == ["web-3"] && rest["nextPageToken"] == nil)
        #expect(try await agent.result("listInstances", ["tags": ["role": "web", "env": "prod"], "states": ["running"]])["instances"]?.names
                    == ["web-1", "web-3"])
        #expect(try await agent.result("listInstances", ["states": ["stopped", "deleted"]])["instances"]?.names == ["web-2"])
        #expect(try await agent.result("listInstances", ["tags": ["role": "cache"]]) == ["instances": []])
        try await agent.failure("listInstances", ["states": ["active"]], code: Code.invalidParams, param: "states")
        try await agent.failure("listInstances", ["tags": ["": "x"]], code: Code.invalidParams)
        try await agent.failure("listInstances", ["tags": ["role": 1]], code: Code.invalidParams, param: "tags.role")
    }

    /// Real transitions, paced so each takes 0.1 s: each action answers the transitional
    /// state at once, and a wait answers the state it leads to.
    @Test func anInstanceGoesThroughEveryStateOfItsLifecycle() async throws {
        let agent = try await LocalAgent(providers: [["name": "local", "kind": "local", "timeScale": 0.1]])
        var seen: [JSONValue] = []
        func record(_ instance: JSONValue) { seen.append(instance["providerState"] ?? .null) }

        let pending = try await agent.result("createInstance", ["name": "vm"])
        record(pending)
        let id = try #require(pending["id"])
        #expect(pending["state"] == "creating")
        #expect(pending["publicIP"] == nil, "no public address while pending")
        let running = try await agent.result("waitInstanceReady", ["id": id])
        record(running)
        #expect(running["state"] == "running")
        let firstIP = try #require(running["publicIP"]?.stringValue)
        #expect(firstIP.hasPrefix("203.0.113."))

        let stopping = try await agent.result("stopInstance", ["id": id])
        record(stopping)
        #expect(stopping["state"] == "stopping")
        let stopped = try await agent.result("stopInstance", ["id": id, "wait": true])
        record(stopped)
        #expect(stopped["state"] == "stopped")
        #expect(stopped["publicIP"] == nil, "a stopped instance releases its public address")
        #expect(stopped["privateIP"] == running["privateIP"], "and keeps its private one")
        #expect(try await agent.result("getInstance", ["id": id])["publicIP"] == nil)

        let starting = try await agent.result("startInstance", ["id": id])
        record(starting)
        #expect(starting["state"] == "creating")
        let restarted = try await agent.result("waitInstanceReady", ["id": id])
        record(restarted)
        #expect(restarted["state"] == "running")
        #expect(restarted["publicIP"]?.stringValue?.hasPrefix("203.0.113.") == true, "a new public address")

        let shuttingDown = try await agent.result("terminateInstance", ["id": id])
        record(shuttingDown)
        #expect(shuttingDown["state"] == "deleting")
        let terminated = try await agent.result("terminateInstance", ["id": id, "wait": true])
        record(terminated)
        #expect(terminated["state"] == "deleted")
        #expect(terminated["publicIP"] == nil)

        #expect(seen == ["pending", "running", "stopping", "stopped", "pending", "running", "shutting-down", "terminated"])

        let error = try await agent.failure("startInstance", ["id": id], code: Code.conflict)
        #expect(error["data"]?["reason"]?.stringValue?.contains("terminated") == true)
        try await agent.failure("stopInstance", ["id": id], code: Code.conflict)
        try await agent.failure("waitInstanceReady", ["id": id], code: Code.conflict)
        #expect(try await agent.result("getInstance", ["id": id])["providerState"] == "terminated")
    }

    @Test func powerActionsOutOfOrderAreConflicts() async throws {
        let agent = try await LocalAgent(providers: [LocalAgent.instant, LocalAgent.slow])
        // Pending for a long time.
        let pending = try await agent.result("createInstance", ["provider": "slow", "name": "booting"])
        let booting = try #require(pending["id"])
        #expect(pending["providerState"] == "pending")
        let early = try await agent.failure("stopInstance", ["provider": "slow", "id": booting], code: Code.conflict)
        #expect(early[path: "data", "reason"]?.stringValue?.contains("pending") == true)
        #expect(try await agent.result("startInstance", ["provider": "slow", "id": booting]) == pending, "already starting")
        let shuttingDown = try await agent.result("terminateInstance", ["provider": "slow", "id": booting])
        #expect(shuttingDown["providerState"] == "shutting-down")
        #expect(try await agent.result("terminateInstance", ["provider": "slow", "id": booting]) == shuttingDown)
        try await agent.failure("startInstance", ["provider": "slow", "id": booting], code: Code.conflict)
        try await agent.failure("stopInstance", ["provider": "slow", "id": booting], code: Code.conflict)

        // Stopping for a long time: a view on the instant provider's state file, paced slowly.
        _ = try await agent.result("configureProvider", ["name": "slowview", "kind": "local", "timeScale": 1000,
                                                          "stateFile": .string(agent.stateFile())])
        let running = try await agent.result("createInstance", ["name": "busy"])
        let busy = try #require(running["id"])
        let stopping = try await agent.result("stopInstance", ["provider": "slowview", "id": busy])
        #expect(stopping["providerState"] == "stopping")
        #expect(stopping["publicIP"] == running["publicIP"], "the address goes when the instance has stopped")
        #expect(try await agent.result("stopInstance", ["provider": "slowview", "id": busy]) == stopping, "already stopping")
        let start = try await agent.failure("startInstance", ["provider": "slowview", "id": busy], code: Code.conflict)
        #expect(start[path: "data", "reason"]?.stringValue?.contains("stopping") == true)
        try await agent.failure("waitInstanceReady", ["id": busy], code: Code.conflict)
        #expect(try await agent.result("terminateInstance", ["provider": "slowview", "id": busy])["providerState"] == "shutting-down")
    }

    @Test func powerActionsAreIdempotent() async throws {
        let agent = try await LocalAgent()
        let running = try await agent.result("createInstance", ["name": "vm", "wait": true])
        let id = try #require(running["id"])
        #expect(try await agent.result("startInstance", ["id": id]) == running, "starting a running instance changes nothing")
        let stopped = try await agent.result("stopInstance", ["id": id])
        #expect(stopped["state"] == "stopped")
        #expect(try await agent.result("stopInstance", ["id": id, "wait": true]) == stopped)
        // Waiting for a stopped instance to run fails: it will not start by itself.
        let error = try await agent.failure("waitInstanceReady", ["id": id], code: Code.conflict)
        #expect(error["data"]?["reason"]?.stringValue?.contains("stopped") == true)
        let terminated = try await agent.result("terminateInstance", ["id": id])
        #expect(terminated["state"] == "deleted")
        #expect(try await agent.result("terminateInstance", ["id": id, "wait": true]) == terminated)
        try await agent.failure("terminateInstance", ["id": "i-00000000000000000"], code: Code.notFound)
        try await agent.failure("stopInstance", ["id": id, "timeoutSeconds": 5], code: Code.invalidParams, param: "timeoutSeconds")
    }
}
