import Foundation
import JSONRPC
import Testing
import TestSupport

/// The `local` provider's state file: resources outlive the agent, several processes share
/// them, and a file that cannot be read is kept aside rather than lost.
@Suite struct LocalStateFileTests {
    @Test func resourcesSurviveARestartInAPrivateStateFile() async throws {
        let home = AgentProcess.isolatedHome()
        let first = try await LocalAgent(home: home)
        let cluster = try await first.result("createCluster", ["name": "demo", "tags": ["keep": "yes"]])
        let pool = try await first.result("createNodePool", ["cluster": "demo", "name": "extra", "nodeCount": 2])
        let instance = try await first.result("createInstance", ["name": "vm"])
        let id = try #require(instance["id"])
        let stopped = try await first.result("stopInstance", ["id": id])
        try await first.stop()

        let path = first.stateFile()
        #expect(path == "\(home["XDG_STATE_HOME"]!)/cloud-agent/local/local.json")
        #expect(Files.mode(path) == 0o600)
        #expect(Files.mode((path as NSString).deletingLastPathComponent) == 0o700)
        let saved = try JSONParser.parse(try #require(Files.read(path)))
        #expect(saved[path: "clusters", "demo", "id"] == cluster["id"])

        // A new agent, with the default (demo-paced) local provider, on the same directories.
        let second = try await LocalAgent(providers: [], home: home)
        #expect(try await second.result("getCluster", ["name": "demo"]) == cluster.replacingNodePools(with: pool))
        #expect(try await second.result("getNodePool", ["cluster": "demo", "name": "extra"]) == pool)
        #expect(try await second.result("getInstance", ["id": id]) == stopped)
        #expect(try await second.result("listInstances")["instances"]?.names == ["vm"])
        #expect(try await second.result("listClusters")["clusters"]?.names == ["demo"])
    }

    @Test func aCorruptStateFileIsMovedAsideAndTheProviderStartsEmpty() async throws {
        let home = AgentProcess.isolatedHome()
        let path = "\(home["XDG_STATE_HOME"]!)/cloud-agent/local/local.json"
        let garbage = "{\"clusters\": this is not JSON"
        try Files.write(garbage, to: path)
        let agent = try await LocalAgent(home: home)
        #expect(try await agent.result("listClusters") == ["clusters": []])
        try await agent.process.waitForLog("moved it to \(path).corrupt-")
        let logLine = agent.stderr.split(separator: "\n").first { $0.contains(".corrupt-") }.map(String.init) ?? ""
        #expect(logLine.contains("local state file \(path) cannot be read"), "\(logLine)")
        let directory = (path as NSString).deletingLastPathComponent
        let aside = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("local.json.corrupt-") }
        #expect(aside.count == 1, "\(aside)")
        if let name = aside.first {
            #expect(Files.read("\(directory)/\(name)") == garbage, "the unreadable file is kept as it was")
            #expect(logLine.contains(name))
        }
        // The provider works on a fresh file.
        _ = try await agent.result("createCluster", ["name": "fresh"])
        #expect(try await agent.result("listClusters")["clusters"]?.names == ["fresh"])
        #expect(Files.mode(path) == 0o600)
    }

    @Test func aStateFileOfAnotherFormatVersionIsMovedAsideToo() async throws {
        let home = AgentProcess.isolatedHome()
        let path = "\(home["XDG_STATE_HOME"]!)/cloud-agent/local/local.json"
        try Files.write(#"{"formatVersion": 99, "clusters": {}, "instances": {}}"#, to: path)
        let agent = try await LocalAgent(home: home)
        #expect(try await agent.result("listInstances") == ["instances": []])
        try await agent.process.waitForLog("format version 99")
        let aside = try FileManager.default.contentsOfDirectory(atPath: (path as NSString).deletingLastPathComponent)
        #expect(aside.contains { $0.hasPrefix("local.json.corrupt-") })
    }

    @Test func aStateFileThatCannotBeWrittenIsAProviderError() async throws {
        let agent = try await LocalAgent(providers: [["name": "stuck", "kind": "local", "timeScale": 0,
                                                      "stateFile": "/proc/no-such-dir/state.json"]])
        let error = try await agent.failure("createCluster", ["provider": "stuck", "name": "demo"], code: -32009)
        #expect(error[path: "data", "type"] == "providerError")
        #expect(error[path: "data", "code"] == "LocalStateError")
        #expect(error[path: "data", "message"]?.stringValue?.contains("/proc/no-such-dir") == true)
        #expect(try await agent.result("listClusters", ["provider": "stuck"]) == ["clusters": []])
    }

    @Test func twoAgentsOnOneStateFileSeeEachOthersChanges() async throws {
        let home = AgentProcess.isolatedHome()
        let one = try await LocalAgent(home: home)
        let two = try await LocalAgent(home: home)
        _ = try await one.result("createCluster", ["name": "from-one"])
        #expect(try await two.result("getCluster", ["name": "from-one"])["status"] == "active")
        _ = try await two.result("createCluster", ["name": "from-two"])
        try await two.failure("createCluster", ["name": "from-one"], code: Code.conflict)
        #expect(try await one.result("listClusters")["clusters"]?.names == ["from-one", "from-two"])
        _ = try await one.result("deleteCluster", ["name": "from-two", "wait": true])
        try await two.failure("getCluster", ["name": "from-two"], code: Code.notFound)
    }

    @Test func concurrentChangesFromTwoAgentsAreNeitherLostNorDoubled() async throws {
        let home = AgentProcess.isolatedHome()
        let agents = [try await LocalAgent(home: home), try await LocalAgent(home: home)]
        // Each agent sends, all at once, ten creates of its own clusters and ten of one shared name.
        var sent: [(agent: LocalAgent, id: Int, name: String)] = []
        for (number, agent) in agents.enumerated() {
            for index in 0..<10 {
                let own = "agent\(number)-\(index)"
                sent.append((agent, agent.send("createCluster", ["name": .string(own), "nodeCount": 1]), own))
                sent.append((agent, agent.send("createCluster", ["name": "contested", "nodeCount": 1]), "contested"))
            }
        }
        var created: [String] = []
        var conflicts = 0
        for request in sent {
            let response = try await request.agent.connection.response(request.id)
            if response["result"] != nil {
                created.append(request.name)
            } else {
                #expect(request.name == "contested", "\(response)")
                #expect(response[path: "error", "code"] == .int(Code.conflict), "\(response)")
                conflicts += 1
            }
        }
        #expect(created.filter { $0 == "contested" }.count == 1, "exactly one create of a name wins")
        #expect(conflicts == 19)
        let expected = (["contested"] + (0..<2).flatMap { number in (0..<10).map { "agent\(number)-\($0)" } }).sorted()
        for agent in agents {
            #expect(try await agent.result("listClusters")["clusters"]?.names == expected, "no change was lost")
        }
    }

    /// The README's main job: a cluster from the shell, then its kubeconfig from another process.
    @Test func callCreatesAClusterWithProgressAndALaterCallGetsItsKubeconfig() async throws {
        let home = AgentProcess.isolatedHome()
        let created = try await AgentProcess.run(["call", "createCluster", #"{"name":"demo","wait":true}"#], environment: home)
        #expect(created.status == 0, "\(created.stderr)")
        let cluster = try JSONParser.parse(created.stdout)
        #expect(cluster["status"] == "active")
        #expect(cluster["name"] == "demo")
        #expect(cluster["version"] == "1.33")
        let progress = created.stderr.split(separator: "\n").filter { $0.hasPrefix("progress ") }
        #expect(progress.first == "progress [begin] creating cluster demo", "\(created.stderr)")
        #expect(progress.contains { $0.hasPrefix("progress [report] cluster demo: creating control plane [creating, ") })
        #expect(progress.last == "progress [end] done")
        #expect(!created.stdout.contains("progress"), "stdout holds only the result")

        let kubeconfig = try await AgentProcess.run(["call", "--compact", "getKubeconfig", #"{"name":"demo"}"#], environment: home)
        #expect(kubeconfig.status == 0, "\(kubeconfig.stderr)")
        let yaml = try #require(try JSONParser.parse(kubeconfig.stdout)["kubeconfig"]?.stringValue)
        #expect(yaml.contains("server: \(cluster["endpoint"]?.stringValue ?? "?")\n"))

        let elsewhere = try await AgentProcess.run(["call", "getKubeconfig", #"{"name":"demo"}"#])
        #expect(elsewhere.status == 1, "another state directory has no such cluster")
        #expect(try JSONParser.parse(elsewhere.stderr)[path: "error", "code"] == .int(Code.notFound))
    }
}

private extension JSONValue {
    /// A cluster as `getCluster` shows it after `pool` was added (pools sorted by name).
    func replacingNodePools(with pool: JSONValue) -> JSONValue {
        guard case .object(var members) = self, let pools = members["nodePools"]?.arrayValue else { return self }
        members["nodePools"] = .array((pools + [pool]).sorted { ($0["name"]?.stringValue ?? "") < ($1["name"]?.stringValue ?? "") })
        return .object(members)
    }
}
