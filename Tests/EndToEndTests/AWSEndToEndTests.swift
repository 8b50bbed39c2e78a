import Foundation
import JSONRPC
import Testing
import TestSupport

/// The `aws` provider through the binary, against moto with signature checking on.
@Suite(.serialized) struct AWSEndToEndTests {
    /// No credentials reach the agent but the provider's own.
    static let noAmbientCredentials = ["AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_ACCESS_KEY_ID": "",
                                       "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_CONFIG_FILE": "/nonexistent",
                                       "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"]

    /// An agent whose config file has the provider `aws` on moto (with moto's keys, and the
    /// role moto lets them assume when `assumeRole`); also answers the config file's path.
    private func agent(assumeRole: Bool = false) async throws -> (LocalAgent, MotoServer, String) {
        let moto = try await MotoServer.shared("end-to-end")
        var entry: [String: JSONValue] = [
            "name": "aws", "kind": "aws", "region": .string(moto.region), "endpointURL": .string(moto.endpoint),
            "accessKeyId": .string(moto.accessKeyId), "secretAccessKey": .string(moto.secretAccessKey),
            "eksRoleArn": .string(moto.eksRoleArn), "nodeRoleArn": .string(moto.nodeRoleArn),
        ]
        if assumeRole {
            entry["roleArn"] = .string(moto.roleArn)
            entry["externalId"] = "ext-1"
        }
        let home = AgentProcess.isolatedHome()
        let configFile = "\(home["XDG_CONFIG_HOME"]!)/cloud-agent/config.json"
        try FileManager.default.createDirectory(atPath: "\(home["XDG_CONFIG_HOME"]!)/cloud-agent", withIntermediateDirectories: true)
        try Data(JSONSerializer.string(["providers": [.object(entry)]]).utf8).write(to: URL(fileURLWithPath: configFile))
        let agent = try await LocalAgent(providers: [LocalAgent.instant], home: home, environment: Self.noAmbientCredentials)
        return (agent, moto, configFile)
    }

    /// The presigned STS URL inside an EKS token.
    private func presignedURL(in token: String) throws -> String {
        #expect(token.hasPrefix("k8s-aws-v1."))
        let encoded = String(token.dropFirst("k8s-aws-v1.".count))
        #expect(!encoded.contains("="), "base64url without padding")
        let base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let data = try #require(Data(base64Encoded: base64 + String(repeating: "=", count: (4 - base64.count % 4) % 4)))
        return String(decoding: data, as: UTF8.self)
    }

    @Test func aClusterIsCreatedWithWaitListedConnectedToScaledAndDeleted() async throws {
        let (agent, moto, configFile) = try await agent()
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
        let got = try await agent.result("getCluster", ["provider": "aws", "name": .string(name)])
        #expect(got["status"] == "active" && got["id"] == cluster["id"] && got[path: "nodePools", 0, "status"] == "active")
        #expect(got["endpoint"]?.stringValue?.isEmpty == false && got["caData"]?.stringValue?.isEmpty == false)

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
        #expect(try await agent.result("listClusters", ["provider": "aws", "region": .string(moto.region)])["clusters"]?.names.contains(name) == true)
        let elsewhere = try await agent.failure("listClusters", ["provider": "aws", "region": "ap-south-2"], code: Code.invalidParams, param: "region")
        #expect(elsewhere["message"]?.stringValue?.contains("works in \(moto.region)") == true)

        let path = "\(try Files.temporaryDirectory())/kubeconfig"
        _ = try await agent.result("getKubeconfig", ["provider": "aws", "name": .string(name), "path": .string(path)])
        #expect(Files.mode(path) == 0o600)
        let kubectl = try #require(Files.executable("kubectl"), "kubectl must be on PATH")
        let view = try await AgentProcess.run(["config", "view", "--kubeconfig", path, "-o", "json"], executableOverride: kubectl)
        #expect(view.status == 0, "\(view.stderr)")
        let exec = try #require(try JSONParser.parse(view.stdout)[path: "users", 0, "user", "exec"])
        let arguments = (exec["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(arguments == ["token", "eks", "--cluster", name, "--region", moto.region, "--endpoint-url", moto.endpoint,
                              "--provider", "aws", "--config", configFile])
        #expect(!view.stdout.contains(moto.secretAccessKey) && !view.stdout.contains(moto.accessKeyId), "no key in the kubeconfig")
        // The exec plugin is this agent: run it as kubectl would, with no credentials in its
        // environment; it reads the provider's keys from the config file.
        let command = try #require(exec["command"]?.stringValue)
        let token = try await AgentProcess.run(arguments, environment: Self.noAmbientCredentials, executableOverride: command)
        #expect(token.status == 0, "\(token.stderr)")
        let credential = try JSONParser.parse(token.stdout)
        #expect(credential["kind"] == "ExecCredential" && credential["apiVersion"] == "client.authentication.k8s.io/v1beta1")
        // The token is a GetCallerIdentity URL presigned for this cluster: botocore, signing the
        // same request with x-k8s-aws-id: NAME at the same instant, makes the same URL.
        let url = try presignedURL(in: try #require(credential[path: "status", "token"]?.stringValue))
        let query = Dictionary(uniqueKeysWithValues: (URLComponents(string: url)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(url.hasPrefix(moto.endpoint + "/?"))
        #expect(query["X-Amz-Expires"] == "60" && query["X-Amz-SignedHeaders"] == "host;x-k8s-aws-id")
        let botocore = try await BotocoreSigner.sign(.init(
            method: "GET", url: moto.endpoint + "/?Action=GetCallerIdentity&Version=2011-06-15", headers: [["x-k8s-aws-id", name]],
            body: "", service: "sts", region: moto.region, accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey,
            sessionToken: nil, timestamp: try #require(query["X-Amz-Date"]), expires: 60))
        #expect(botocore.url == url)

        // authMode "aws-cli": the classic `aws eks get-token` exec, also valid for kubectl.
        let classicPath = "\(try Files.temporaryDirectory())/kubeconfig-aws-cli"
        _ = try await agent.result("getKubeconfig", ["provider": "aws", "name": .string(name), "path": .string(classicPath), "authMode": "aws-cli"])
        let classic = try await AgentProcess.run(["config", "view", "--kubeconfig", classicPath, "-o", "json"], executableOverride: kubectl)
        #expect(classic.status == 0, "\(classic.stderr)")
        let classicExec = try #require(try JSONParser.parse(classic.stdout)[path: "users", 0, "user", "exec"])
        #expect(classicExec["command"] == "aws")
        #expect(classicExec["args"] == .array(["--region", moto.region, "eks", "get-token", "--cluster-name", name, "--output", "json"].map { .string($0) }))
        let badMode = try await agent.failure("getKubeconfig", ["provider": "aws", "name": .string(name), "authMode": "kubelogin"],
                                              code: Code.invalidParams, param: "authMode")
        #expect(badMode["message"]?.stringValue?.contains("'aws-cli'") == true)

        let scaled = try await agent.result("scaleNodePool", ["provider": "aws", "cluster": .string(name), "name": "default",
                                                              "nodeCount": 3, "wait": true])
        #expect(scaled["nodeCount"] == 3 && scaled["status"] == "active")
        let deleted = try await agent.result("deleteCluster", ["provider": "aws", "name": .string(name), "wait": true])
        #expect(deleted["status"] == "deleted")
        try await agent.failure("getCluster", ["provider": "aws", "name": .string(name)], code: Code.notFound)
    }

    /// A one-shot `cloud-agent call` is the whole agent: it must not exit before the steps its
    /// answer promised (the node group once the cluster is active, the cluster once its node
    /// groups are gone), even without `wait`.
    @Test func oneShotCallsFinishTheClusterStepsTheyBegin() async throws {
        let (agent, moto, configFile) = try await agent()
        let environment = agent.home.merging(Self.noAmbientCredentials) { _, new in new }
        let name = "oneshot-\(UUID().uuidString.prefix(6).lowercased())"
        let subnets = JSONSerializer.string(.array(moto.subnets.prefix(2).map { .string($0) }))
        let created = try await AgentProcess.run(
            ["call", "--config", configFile, "--compact", "createCluster",
             #"{"provider":"aws","name":"\#(name)","nodeCount":2,"nodeType":"t3.large","subnets":\#(subnets)}"#],
            environment: environment)
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try JSONParser.parse(created.stdout)["status"] == "creating")
        // The node group exists once the call has exited.
        let pool = try await agent.result("getNodePool", ["provider": "aws", "cluster": .string(name), "name": "default"])
        #expect(pool["nodeCount"] == 2 && pool["nodeType"] == "t3.large")

        let deleted = try await AgentProcess.run(["call", "--config", configFile, "--compact", "deleteCluster",
                                                  #"{"provider":"aws","name":"\#(name)"}"#], environment: environment)
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(try JSONParser.parse(deleted.stdout)["status"] == "deleting")
        // And the cluster is gone once that call has exited.
        try await agent.failure("getCluster", ["provider": "aws", "name": .string(name)], code: Code.notFound)
    }

    @Test func anInstanceRunsStopsAndTerminates() async throws {
        let (agent, moto, _) = try await agent()
        let instance = try await agent.result("createInstance", ["provider": "aws", "name": "bastion", "image": "ami-03cf127a",
                                                                 "subnet": .string(moto.subnets[0]), "wait": true])
        #expect(instance["state"] == "running" && instance["name"] == "bastion")
        let id = try #require(instance["id"]?.stringValue)
        #expect(try await agent.result("stopInstance", ["provider": "aws", "id": .string(id), "wait": true])["state"] == "stopped")
        #expect(try await agent.result("startInstance", ["provider": "aws", "id": .string(id), "wait": true])["state"] == "running")
        #expect(try await agent.result("terminateInstance", ["provider": "aws", "id": .string(id), "wait": true])["state"] == "deleted")
        try await agent.failure("startInstance", ["provider": "aws", "id": .string(id)], code: Code.conflict)
    }

    @Test func instancesAreListedByTagAndState() async throws {
        let (agent, moto, _) = try await agent()
        let team = "t-\(UUID().uuidString.prefix(8).lowercased())"
        var ids: [String: String] = [:]
        for (name, role) in [("web-a", "web"), ("web-b", "web"), ("db-a", "db")] {
            let created = try await agent.result("createInstance", ["provider": "aws", "name": .string(name), "image": "ami-03cf127a",
                                                                    "subnet": .string(moto.subnets[0]),
                                                                    "tags": ["team": .string(team), "role": .string(role)]])
            ids[name] = created["id"]?.stringValue
        }
        func listed(_ params: [String: JSONValue]) async throws -> Set<String> {
            var names: Set<String> = []
            var pageToken: JSONValue?
            repeat {
                var request = params.merging(["provider": "aws", "limit": 5]) { _, new in new }
                if let pageToken { request["pageToken"] = pageToken }
                let page = try await agent.result("listInstances", .object(request))
                names.formUnion(page["instances"]?.names ?? [])
                pageToken = page["nextPageToken"]
            } while pageToken != nil
            return names
        }
        #expect(try await listed(["tags": ["team": .string(team)]]) == ["web-a", "web-b", "db-a"])
        #expect(try await listed(["tags": ["team": .string(team), "role": "web"]]) == ["web-a", "web-b"])
        _ = try await agent.result("stopInstance", ["provider": "aws", "id": .string(ids["web-b"]!), "wait": true])
        #expect(try await listed(["tags": ["team": .string(team)], "states": ["stopped"]]) == ["web-b"])
        #expect(try await listed(["tags": ["team": .string(team)], "states": ["running", "creating"]]) == ["web-a", "db-a"])
        #expect(try await listed(["tags": ["team": .string(team), "role": "none"]]).isEmpty)
        try await agent.failure("listInstances", ["provider": "aws", "states": ["runing"]], code: Code.invalidParams, param: "states")
        for id in ids.values { _ = try await agent.result("terminateInstance", ["provider": "aws", "id": .string(id)]) }
    }

    @Test func aRoleIsAssumedThroughSTSAndUsed() async throws {
        let (agent, moto, _) = try await agent(assumeRole: true)
        let listed = try await agent.result("listInstances", ["provider": "aws", "limit": 5])
        #expect(listed["instances"] != nil)
        #expect(agent.stderr.contains("role \(moto.roleArn) assumed with"), "the log names the credential source: \(agent.stderr)")
        #expect(!agent.stderr.contains(moto.secretAccessKey))
    }

    @Test func aWrongSecretIsUnauthenticated() async throws {
        let (agent, moto, _) = try await agent()
        _ = try await agent.result("configureProvider", [
            "name": "bad", "kind": "aws", "region": .string(moto.region), "endpointURL": .string(moto.endpoint),
            "accessKeyId": .string(moto.accessKeyId), "secretAccessKey": "wrong-secret-wrong-secret-wrong-secret-00",
        ])
        let error = try await agent.failure("listClusters", ["provider": "bad"], code: -32004)
        #expect(error[path: "data", "type"] == "unauthenticated")
        #expect(!agent.stderr.contains("wrong-secret-wrong-secret"))
    }
}
