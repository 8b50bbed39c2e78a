import Foundation
import JSONRPC
import Testing
import TestSupport

/// Providers: `listProviders`, `configureProvider`, the config file, and the agent's
/// self-description (`rpc.discover`, `initialize`, `debug.stats`).
@Suite struct ProviderConfigTests {
    @Test func withoutConfigurationThereIsTheBuiltInLocalProvider() async throws {
        let agent = try await LocalAgent(providers: [])
        let answer = try await agent.result("listProviders")
        #expect(answer["defaultProvider"] == "local")
        let providers = try #require(answer["providers"]?.arrayValue)
        try #require(providers.count == 1)
        var local = try #require(providers[0].objectValue)
        let region = local.removeValue(forKey: "region")
        #expect(local == ["name": "local", "kind": "local", "isDefault": true, "implemented": true, "settings": [:]])
        // A local provider without a configured region reports the one it uses.
        #expect(region == "local-1")
    }

    @Test func listProvidersRedactsSecretsAndNoSecretReachesStdoutOrStderr() async throws {
        let secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYzEXAMPLEKEY"
        let token = "ya29.a0-EXAMPLE-ACCESS-TOKEN"
        let agent = try await LocalAgent(providers: [], arguments: ["serve", "--log-level", "trace"])
        let inbox = agent.connection.inbox
        // Read raw lines: what the agent wrote, byte for byte.
        func rawResponse(_ method: String, _ params: JSONValue) async throws -> String {
            agent.connection.request(agent.makeID(), method, params)
            return String(decoding: try await inbox.next(timeout: LineConnection.defaultTimeout), as: UTF8.self)
        }
        let configured = try await rawResponse("configureProvider", [
            "name": "prod", "kind": "aws", "region": "eu-west-1", "accessKeyId": "AKIAEXAMPLE", "secretAccessKey": .string(secret),
            "sessionToken": .string(token + "-session"),
        ])
        let gcp = try await rawResponse("configureProvider", ["name": "gke", "kind": "gcp", "project": "my-project-1", "accessToken": .string(token)])
        let listed = try await rawResponse("listProviders", [:])
        let refused = try await rawResponse("configureProvider", ["name": "prod2", "kind": "aws", "secretAccessKey": .string(secret), "nope": 1])
        for line in [configured, gcp, listed, refused] {
            #expect(!line.contains(secret), "secret in \(line)")
            #expect(!line.contains(token), "token in \(line)")
        }
        let providers = try #require(try JSONParser.parse(listed)[path: "result", "providers"]?.arrayValue)
        try #require(providers.names == ["local", "prod", "gke"])
        #expect(providers[1] == [
            "name": "prod", "kind": "aws", "region": "eu-west-1", "isDefault": false, "implemented": true,
            "settings": ["accessKeyId": "AKIAEXAMPLE", "secretAccessKey": "<redacted>", "sessionToken": "<redacted>"],
        ])
        #expect(providers[2]["settings"] == ["project": "my-project-1", "accessToken": "<redacted>"])
        #expect(try JSONParser.parse(configured)["result"] == providers[1], "configureProvider answers the redacted entry")
        #expect(try JSONParser.parse(refused)[path: "error", "data", "param"] == "nope")

        try await agent.stop()
        #expect(agent.stderr.contains("provider 'prod' (aws) configured"), "the agent logged at trace level")
        #expect(!agent.stderr.contains(secret))
        #expect(!agent.stderr.contains(token))
    }

    /// An azure provider needs its subscription and resource group before it sends anything:
    /// without them each call names the setting to add.
    @Test func anAzureProviderNamesTheSettingsItLacksBeforeCallingAzure() async throws {
        let agent = try await LocalAgent(providers: [["name": "cloud", "kind": "azure", "accessToken": "arm-token"]],
                                         environment: ["AZURE_SUBSCRIPTION_ID": ""])
        #expect(try await agent.result("listProviders")[path: "providers", 1, "implemented"] == true)
        for (method, params, setting) in [("listClusters", [:], "subscriptionId"), ("getCluster", ["name": "demo"], "subscriptionId"),
                                          ("createCluster", ["name": "demo"], "resourceGroup"), ("listInstances", [:], "resourceGroup"),
                                          ("getAvailableVersions", [:], "subscriptionId")] as [(String, [String: JSONValue], String)] {
            var withProvider = params
            withProvider["provider"] = "cloud"
            let error = try await agent.failure(method, .object(withProvider), code: Code.invalidParams, param: setting)
            #expect(error["message"]?.stringValue?.contains("configureProvider") == true, "\(method): \(error)")
        }
        // The local provider is unaffected.
        #expect(try await agent.result("listClusters") == ["clusters": []])
    }

    @Test func configureProviderRefusesBadEntriesNamingTheField() async throws {
        let agent = try await LocalAgent(providers: [])
        let unknown = try await agent.failure("configureProvider", ["name": "fast", "kind": "local", "timescale": 0],
                                              code: Code.invalidParams, param: "timescale")
        #expect(unknown["message"]?.stringValue?.contains("timeScale") == true, "suggests the right spelling")
        let other = try await agent.failure("configureProvider", ["name": "fast", "kind": "local", "colour": "blue"],
                                            code: Code.invalidParams, param: "colour")
        #expect(other["message"]?.stringValue?.contains("timeScale") == true, "lists the settings")
        try await agent.failure("configureProvider", ["name": "x", "kind": "openstack"], code: Code.invalidParams, param: "kind")
        try await agent.failure("configureProvider", ["name": "x"], code: Code.invalidParams, param: "kind")
        try await agent.failure("configureProvider", ["kind": "local"], code: Code.invalidParams, param: "name")
        try await agent.failure("configureProvider", ["name": "Bad Name", "kind": "local"], code: Code.invalidParams, param: "name")
        try await agent.failure("configureProvider", ["name": "x", "kind": "local", "timeScale": -1], code: Code.invalidParams, param: "timeScale")
        try await agent.failure("configureProvider", ["name": "x", "kind": "local", "timeScale": "fast"], code: Code.invalidParams, param: "timeScale")
        try await agent.failure("configureProvider", ["name": "x", "kind": "local", "region": "Mars 1"], code: Code.invalidParams, param: "region")
        try await agent.failure("configureProvider", ["name": "x", "kind": "aws", "roleArn": "admin"], code: Code.invalidParams, param: "roleArn")
        // Nothing refused was added.
        #expect(try await agent.result("listProviders")["providers"]?.names == ["local"])
        let missing = try await agent.failure("listClusters", ["provider": "x"], code: Code.invalidParams, param: "provider")
        #expect(missing["message"]?.stringValue?.contains("local") == true, "names the configured providers")
    }

    /// A relative `stateFile` would resolve against whatever directory the agent was started in
    /// (as `getKubeconfig`'s `path` would), so it is refused, at run time and in the config file.
    @Test func aRelativeStateFileIsRefused() async throws {
        let agent = try await LocalAgent(providers: [])
        try await agent.failure("configureProvider", ["name": "rel", "kind": "local", "stateFile": "relative/state.json"],
                                code: Code.invalidParams, param: "stateFile")
        let path = try Files.temporaryDirectory() + "/agent.json"
        try Files.write(#"{"providers": [{"name": "rel", "kind": "local", "stateFile": "state.json"}]}"#, to: path)
        let serve = try await AgentProcess.run(["serve", "--config", path])
        #expect(serve.status == 1)
        #expect(serve.stderr.contains("'providers[0].stateFile'"), "\(serve.stderr)")
    }

    @Test func configureProviderReplacesAProviderKeepingItsResources() async throws {
        let agent = try await LocalAgent(providers: [LocalAgent.slow])
        let creating = try await agent.result("createCluster", ["provider": "slow", "name": "demo"])
        #expect(creating["status"] == "creating")
        // Same name, same state file, another pace: the same cluster, with its timeline.
        let replaced = try await agent.result("configureProvider", ["name": "slow", "kind": "local", "timeScale": 0, "region": "lab-2"])
        #expect(replaced == ["name": "slow", "kind": "local", "region": "lab-2", "isDefault": false, "implemented": true,
                             "settings": ["timeScale": 0]])
        #expect(try await agent.result("getCluster", ["provider": "slow", "name": "demo"])["id"] == creating["id"])
        #expect(try await agent.result("createCluster", ["provider": "slow", "name": "fresh"])["region"] == "lab-2")
        #expect(try await agent.result("listProviders")["providers"]?.names == ["local", "slow"])
    }

    @Test func aConfigFileDefinesProvidersAndTheDefault() async throws {
        let directory = try Files.temporaryDirectory()
        let config = "\(directory)/agent.json"
        try Files.write("""
            {"defaultProvider": "fast",
             "providers": [{"name": "fast", "kind": "local", "timeScale": 0, "region": "lab-1"},
                           {"name": "prod", "kind": "aws", "region": "eu-west-1", "profile": "prod"}]}
            """, to: config)
        let agent = try await LocalAgent(providers: [], arguments: ["serve", "--config", config])
        let listed = try await agent.result("listProviders")
        #expect(listed["defaultProvider"] == "fast")
        let providers = try #require(listed["providers"]?.arrayValue)
        try #require(providers.names == ["local", "fast", "prod"], "the built-in local provider stays")
        #expect(providers.map { $0["isDefault"] } == [false, true, false])
        #expect(providers[1]["settings"] == ["timeScale": 0])
        #expect(providers[2]["settings"] == ["profile": "prod"])
        // Calls without `provider` use the default, which is instant and in lab-1.
        let cluster = try await agent.result("createCluster", ["name": "demo"])
        #expect(cluster["provider"] == "fast")
        #expect(cluster["region"] == "lab-1")
        #expect(cluster["status"] == "active")
        #expect(Files.read(agent.stateFile(of: "fast")) != nil, "state under the provider's name")
        try await agent.failure("getCluster", ["provider": "local", "name": "demo"], code: Code.notFound)
        #expect(try await agent.result("listProviders")[path: "providers", 2, "implemented"] == true, "aws is implemented")
    }

    @Test func theDefaultConfigFileIsReadFromXDGConfigHome() async throws {
        let home = AgentProcess.isolatedHome()
        try Files.write(#"{"providers": [{"name": "local", "kind": "local", "timeScale": 0, "region": "home-1"}]}"#,
                        to: "\(home["XDG_CONFIG_HOME"]!)/cloud-agent/config.json")
        let agent = try await LocalAgent(providers: [], home: home)
        let cluster = try await agent.result("createCluster", ["name": "demo"])
        #expect(cluster["region"] == "home-1")
        #expect(cluster["status"] == "active", "timeScale 0 from the file")
    }

    @Test func callTakesTheConfigFileToo() async throws {
        let directory = try Files.temporaryDirectory()
        let config = "\(directory)/agent.json"
        try Files.write(#"{"defaultProvider": "fast", "providers": [{"name": "fast", "kind": "local", "timeScale": 0}]}"#, to: config)
        let home = AgentProcess.isolatedHome()
        let created = try await AgentProcess.run(["call", "--config", config, "--compact", "createCluster", #"{"name":"demo","wait":true}"#],
                                                 environment: home)
        #expect(created.status == 0, "\(created.stderr)")
        let cluster = try JSONParser.parse(created.stdout)
        #expect(cluster["provider"] == "fast")
        #expect(cluster["status"] == "active")
        let listed = try await AgentProcess.run(["call", "--config", config, "--compact", "listClusters"], environment: home)
        #expect(try JSONParser.parse(listed.stdout)["clusters"]?.names == ["demo"])
        let providers = try await AgentProcess.run(["call", "--config", config, "--compact", "listProviders"], environment: home)
        #expect(try JSONParser.parse(providers.stdout)["defaultProvider"] == "fast")
        let broken = "\(directory)/broken.json"
        try Files.write(#"{"providers": {}}"#, to: broken)
        let refused = try await AgentProcess.run(["call", "--config", broken, "ping"], environment: home)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("'providers' must be an array"), "\(refused.stderr)")
    }

    @Test(arguments: [
        (#"{"providers": [{"name": "x", "kind": "local", "timeScale": "slow"}]}"#, "providers[0].timeScale"),
        (#"{"providers": [{"name": "x", "kind": "local"}, {"name": "y", "kind": "cloudy"}]}"#, "providers[1].kind"),
        (#"{"providers": [{"name": "x", "kind": "local"}, {"name": "x", "kind": "aws"}]}"#, "providers[1].name"),
        (#"{"providers": [{"name": "x", "kind": "local", "colour": "red"}]}"#, "providers[0].colour"),
        (#"{"defaultProvider": "nowhere", "providers": []}"#, "defaultProvider"),
        (#"{"defaultProvider": 3}"#, "defaultProvider"),
        (#"{"provider": []}"#, "provider"),
        (#"{"providers": [}"#, "not valid JSON"),
        (#"[]"#, "must hold a JSON object"),
    ])
    func anInvalidConfigFileStopsServeNamingTheField(config: String, field: String) async throws {
        let path = try Files.temporaryDirectory() + "/agent.json"
        try Files.write(config, to: path)
        let result = try await AgentProcess.run(["serve", "--config", path], input: #"{"jsonrpc":"2.0","id":1,"method":"ping"}"# + "\n")
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty, "it answers nothing")
        #expect(result.stderr.contains("config file \(path)"), "\(result.stderr)")
        #expect(result.stderr.contains(field.contains(" ") ? field : "'\(field)'"), "\(result.stderr)")
    }

    @Test func aMissingConfigFileGivenExplicitlyStopsServe() async throws {
        let path = try Files.temporaryDirectory() + "/absent.json"
        let result = try await AgentProcess.run(["serve", "--config", path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path): does not exist"), "\(result.stderr)")
    }

    @Test func aConfigFileWithSecretsReadableByOthersIsWarnedAbout() async throws {
        let path = try Files.temporaryDirectory() + "/agent.json"
        try Files.write(#"{"providers": [{"name": "prod", "kind": "aws", "secretAccessKey": "hunter2-secret-value"}]}"#, to: path, mode: 0o644)
        let result = try await AgentProcess.run(["serve", "--config", path])
        #expect(result.status == 0)
        #expect(result.stderr.contains("chmod 600 \(path)"), "\(result.stderr)")
        #expect(!result.stderr.contains("hunter2-secret-value"))
        chmod(path, 0o600)
        let quiet = try await AgentProcess.run(["serve", "--config", path])
        #expect(!quiet.stderr.contains("chmod"), "\(quiet.stderr)")
    }

    @Test func rpcDiscoverDescribesEveryMethodTheAgentAnswers() async throws {
        let agent = try await LocalAgent(providers: [])
        let initialized = try await agent.result("initialize", ["clientInfo": ["name": "e2e"]])
        let methods = try #require(initialized[path: "capabilities", "methods"]?.arrayValue)
        let answered = methods.compactMap { $0.stringValue }
        for method in ["createCluster", "listProviders", "configureProvider", "waitInstanceReady", "debug.stats"] {
            #expect(answered.contains(method), "initialize lists \(method)")
        }
        try await agent.failure("rpc.other", code: -32601)
        let document = try await agent.result("rpc.discover")
        #expect(document["openrpc"]?.stringValue?.hasPrefix("1.") == true)
        #expect(document[path: "info", "title"] != nil)
        let described = Set(document["methods"]?.arrayValue?.names ?? [])
        let missing = answered.filter { !$0.hasPrefix("rpc.") && !described.contains($0) }
        #expect(missing.isEmpty, "rpc.discover does not describe \(missing)")
    }

    @Test func debugStatsCountsEachProvidersWaits() async throws {
        let agent = try await LocalAgent(providers: [LocalAgent.instant, LocalAgent.slow])
        let empty = ["waits": 0, "activeWaits": 0, "pollLoops": 0, "polls": 0] as JSONValue
        #expect(try await agent.result("debug.stats") == ["waits": ["local": empty, "slow": empty]])
        _ = try await agent.result("createCluster", ["name": "demo", "wait": true])
        _ = try await agent.result("waitClusterReady", ["name": "demo"])
        let stats = try await agent.result("debug.stats")
        #expect(stats[path: "waits", "local"] == ["waits": 2, "activeWaits": 0, "pollLoops": 2, "polls": 2])
        #expect(stats[path: "waits", "slow"] == empty)
    }
}
