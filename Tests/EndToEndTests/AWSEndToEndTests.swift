import Foundation
import JSONRPC
import Testing
import TestSupport

/// The `aws` provider through the binary, against moto with signature checking on.
@Suite(.serialized) struct AWSEndToEndTests {
    private func agent() async throws -> (LocalAgent, MotoFixture) {
        let moto = try #require(await MotoFixture.shared("end-to-end"), "scripts/moto-server must start (the test command installs moto)")
        let entry: JSONValue = [
            "name": "aws", "kind": "aws", "region": .string(moto.region), "endpointURL": .string(moto.endpoint),
            "accessKeyId": .string(moto.accessKeyId), "secretAccessKey": .string(moto.secretAccessKey),
            "eksRoleArn": .string(moto.eksRoleArn), "nodeRoleArn": .string(moto.nodeRoleArn),
        ]
        let agent = try await LocalAgent(providers: [LocalAgent.instant, entry],
                                         environment: ["AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_ACCESS_KEY_ID": ""])
        return (agent, moto)
    }

    @Test func aClusterIsCreatedWithWaitListedConnectedToScaledAndDeleted() async throws {
        let (agent, moto) = try await agent()
        let name = "e2e-\(UUID().uuidString.prefix(6).lowercased())"
        let id = agent.send("createCluster", ["provider": "aws", "name": .string(name), "nodeCount": 2, "wait": true,
                                              "subnets": .array(moto.subnets.prefix(2).map { .string($0) })])
        var progress: [JSONValue] = []
        var response: JSONValue = .null
        while true {
            let message = try await agent.connection.first { $0["id"] == .int(id) || $0[path: "params", "token"] == .int(id) }
            if message["method"] == nil { response = message; break }
            progress.append(message[path: "params", "value"] ?? .null)
        }
        let cluster = try #require(response["result"], "\(response)")
        #expect(cluster["status"] == "active" && cluster["cloud"] == "aws" && cluster["provider"] == "aws")
        #expect(cluster[path: "nodePools", 0, "name"] == "default" && cluster[path: "nodePools", 0, "nodeCount"] == 2)
        #expect(progress.first?["kind"] == "begin" && progress.last?["kind"] == "end")
        #expect(progress.contains { $0["kind"] == "report" && $0[path: "resource", "name"] == .string(name) })

        // Pages of one (other tests share this moto, so other clusters come and go meanwhile).
        var pageToken: JSONValue?
        var found = false
        for _ in 0..<100 where !found {
            var params: [String: JSONValue] = ["provider": "aws", "limit": 1]
            if let pageToken { params["pageToken"] = pageToken }
            let page = try await agent.result("listClusters", .object(params))
            #expect((page["clusters"]?.arrayValue?.count ?? 0) <= 1)
            found = page["clusters"]?.names.contains(name) == true
            pageToken = page["nextPageToken"]
            if pageToken == nil { break }
        }
        #expect(found, "the cluster is on one of the pages")

        let path = "\(try Files.temporaryDirectory())/kubeconfig"
        _ = try await agent.result("getKubeconfig", ["provider": "aws", "name": .string(name), "path": .string(path)])
        #expect(Files.mode(path) == 0o600)
        let kubectl = try #require(Files.executable("kubectl"), "kubectl must be on PATH")
        let view = try await AgentProcess.run(["config", "view", "--kubeconfig", path, "-o", "json"], executableOverride: kubectl)
        #expect(view.status == 0, "\(view.stderr)")
        let exec = try #require(try JSONParser.parse(view.stdout)[path: "users", 0, "user", "exec"])
        #expect(exec["args"]?.arrayValue?.prefix(4) == ["token", "eks", "--cluster", .string(name)])
        // The exec plugin is this agent: run it as kubectl would.
        let command = try #require(exec["command"]?.stringValue)
        let arguments = (exec["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        let token = try await AgentProcess.run(arguments, environment: ["AWS_ACCESS_KEY_ID": moto.accessKeyId,
                                                                        "AWS_SECRET_ACCESS_KEY": moto.secretAccessKey,
                                                                        "AWS_EC2_METADATA_DISABLED": "true"],
                                               executableOverride: command)
        #expect(token.status == 0, "\(token.stderr)")
        #expect(try JSONParser.parse(token.stdout)[path: "status", "token"]?.stringValue?.hasPrefix("k8s-aws-v1.") == true)

        let scaled = try await agent.result("scaleNodePool", ["provider": "aws", "cluster": .string(name), "name": "default",
                                                              "nodeCount": 3, "wait": true])
        #expect(scaled["nodeCount"] == 3 && scaled["status"] == "active")
        let deleted = try await agent.result("deleteCluster", ["provider": "aws", "name": .string(name), "wait": true])
        #expect(deleted["status"] == "deleted")
        try await agent.failure("getCluster", ["provider": "aws", "name": .string(name)], code: Code.notFound)
    }

    @Test func anInstanceRunsStopsAndTerminates() async throws {
        let (agent, moto) = try await agent()
        let instance = try await agent.result("createInstance", ["provider": "aws", "name": "bastion", "image": "ami-03cf127a",
                                                                 "subnet": .string(moto.subnets[0]), "wait": true])
        #expect(instance["state"] == "running" && instance["name"] == "bastion")
        let id = try #require(instance["id"]?.stringValue)
        #expect(try await agent.result("stopInstance", ["provider": "aws", "id": .string(id), "wait": true])["state"] == "stopped")
        #expect(try await agent.result("startInstance", ["provider": "aws", "id": .string(id), "wait": true])["state"] == "running")
        #expect(try await agent.result("terminateInstance", ["provider": "aws", "id": .string(id), "wait": true])["state"] == "deleted")
        try await agent.failure("startInstance", ["provider": "aws", "id": .string(id)], code: Code.conflict)
    }

    @Test func aWrongSecretIsUnauthenticated() async throws {
        let (agent, moto) = try await agent()
        _ = try await agent.result("configureProvider", [
            "name": "bad", "kind": "aws", "region": .string(moto.region), "endpointURL": .string(moto.endpoint),
            "accessKeyId": .string(moto.accessKeyId), "secretAccessKey": "wrong-secret-wrong-secret-wrong-secret-00",
        ])
        let error = try await agent.failure("listClusters", ["provider": "bad"], code: -32004)
        #expect(error[path: "data", "type"] == "unauthenticated")
        #expect(!agent.stderr.contains("wrong-secret-wrong-secret"))
    }
}
