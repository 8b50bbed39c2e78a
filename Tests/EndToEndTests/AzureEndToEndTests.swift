import CloudCore
import Foundation
import JSONRPC
import Testing
import TestSupport

/// The `azure` provider through the binary, against the ARM and Entra fake over loopback HTTP.
@Suite struct AzureEndToEndTests {
    static let subscription = "00000000-0000-0000-0000-000000000001"
    static let sshKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@host"
    /// Nothing in the environment may give credentials, nor reach the instance metadata service.
    static let noAmbientCredentials = ["AZURE_TENANT_ID": "", "AZURE_CLIENT_ID": "", "AZURE_CLIENT_SECRET": "", "AZURE_FEDERATED_TOKEN_FILE": "",
                                       "AZURE_SUBSCRIPTION_ID": "", "IDENTITY_ENDPOINT": "http://127.0.0.1:9/msi", "IDENTITY_HEADER": "none",
                                       "PATH": "/nonexistent"]

    func agent(operationDuration: Duration = .milliseconds(300), extra: [String: JSONValue] = [:]) async throws -> (LocalAgent, FakeAzure) {
        let fake = try FakeAzure(operationDuration: operationDuration, tokens: ["arm-token"], subscription: Self.subscription)
        let agent = try await LocalAgent(providers: [LocalAgent.instant, Self.entry(fake, extra: extra)], environment: Self.noAmbientCredentials)
        return (agent, fake)
    }

    /// The `aks` provider's entry, against `fake`.
    static func entry(_ fake: FakeAzure, extra: [String: JSONValue] = [:], token: Bool = true) -> JSONValue {
        var entry: [String: JSONValue] = ["name": "aks", "kind": "azure", "subscriptionId": .string(subscription), "resourceGroup": "rg-test",
                                          "location": "eastus", "endpointURL": .string(fake.baseURL.absoluteString)]
        if token { entry["accessToken"] = "arm-token" }
        entry.merge(extra) { _, new in new }
        return .object(entry)
    }

    static var subnet: String {
        "/subscriptions/\(subscription)/resourceGroups/rg-test/providers/Microsoft.Network/virtualNetworks/vnet-test/subnets/default"
    }

    /// A call to the fake as another tool would make it, on `path` under `rg-test`'s providers.
    static func armCall(_ fake: FakeAzure, _ method: String, _ path: String, apiVersion: String, body: String = "") async throws -> HTTPResponse {
        let url = URL(string: "\(fake.baseURL.absoluteString)/subscriptions/\(subscription)/resourceGroups/rg-test/providers/\(path)?api-version=\(apiVersion)")!
        return try await CurlTransport().send(HTTPRequest(method: method, url: url, headers: [("Authorization", "Bearer arm-token"),
                                                                                                   ("Content-Type", "application/json")],
                                                                body: Array(body.utf8)))
    }

    private func kubectlView(_ path: String) async throws -> JSONValue {
        let kubectl = try #require(Files.executable("kubectl"), "kubectl must be on PATH")
        let view = try await AgentProcess.run(["config", "view", "--kubeconfig", path, "-o", "json"], executableOverride: kubectl)
        #expect(view.status == 0, "\(view.stderr)")
        return try JSONParser.parse(view.stdout)
    }

    @Test func aClusterIsCreatedWaitedForListedConnectedToScaledUpgradedAndDeleted() async throws {
        let (agent, fake) = try await agent()
        fake.setPageSize(1)  // Every list below follows nextLink.
        let (progress, response) = try await agent.progressAndResponse("createCluster", [
            "provider": "aks", "name": "demo", "nodeCount": 2, "nodeType": "Standard_D2s_v5", "version": "1.29", "tags": ["team": "platform"],
            "wait": true])
        let cluster = try #require(response["result"], "\(response)")
        #expect(cluster["status"] == "active" && cluster["cloud"] == "azure" && cluster["providerStatus"] == "Succeeded")
        // AKS spells `resourcegroups` in lowercase in the ids it answers.
        #expect(cluster["id"]?.stringValue?.lowercased() == "/subscriptions/\(Self.subscription)/resourcegroups/rg-test/providers/microsoft.containerservice/managedclusters/demo")
        #expect(cluster["version"]?.stringValue?.hasPrefix("1.29") == true && cluster["tags"] == ["team": "platform"])
        #expect(cluster[path: "nodePools", 0, "name"] == "default" && cluster[path: "nodePools", 0, "nodeCount"] == 2)
        #expect(cluster["endpoint"]?.stringValue?.hasPrefix("https://") == true)
        #expect(progress.contains { $0["kind"] == "report" && $0["status"] == "creating" }, "\(progress)")
        let put = try #require(fake.receivedRequests.first { $0.method == "PUT" && $0.url.path.hasSuffix("/managedClusters/demo") })
        let body = try JSONParser.parse(String(decoding: put.body, as: UTF8.self))
        #expect(body[path: "identity", "type"] == "SystemAssigned" && body[path: "properties", "dnsPrefix"] == "demo")
        #expect(body[path: "properties", "agentPoolProfiles", 0, "mode"] == "System")
        #expect(put.url.query == "api-version=2023-11-01")

        #expect(try await agent.result("listClusters", ["provider": "aks"])["clusters"]?.names == ["demo"])
        #expect(try await agent.result("listClusters", ["provider": "aks", "region": "westus"]) == ["clusters": []])
        try await agent.failure("createCluster", ["provider": "aks", "name": "demo"], code: Code.conflict)

        let path = "\(try Files.temporaryDirectory())/aks-kubeconfig"
        _ = try await agent.result("getKubeconfig", ["provider": "aks", "name": "demo", "path": .string(path)])
        #expect(Files.mode(path) == 0o600)
        let view = try await kubectlView(path)
        #expect(view[path: "clusters", 0, "cluster", "server"]?.stringValue?.hasPrefix("https://") == true)
        try await agent.failure("getKubeconfig", ["provider": "aks", "name": "demo", "format": "exec"], code: Code.invalidParams, param: "format")

        let offered = try #require(try await agent.result("getAvailableVersions", ["provider": "aks"])["versions"]?.arrayValue)
        #expect(offered.filter { $0["isDefault"] == true }.count == 1)
        let targets = try #require(try await agent.result("getAvailableVersions", ["provider": "aks", "cluster": "demo"])["versions"]?.arrayValue)
        let target = try #require(targets.compactMap { $0["version"]?.stringValue }.first { $0.hasPrefix("1.30") }, "\(targets)")

        let scaled = try await agent.result("scaleNodePool", ["provider": "aks", "cluster": "demo", "name": "default", "nodeCount": 3, "wait": true])
        #expect(scaled["nodeCount"] == 3 && scaled["status"] == "active")
        let upgraded = try await agent.result("upgradeCluster", ["provider": "aks", "name": "demo", "version": .string(target), "wait": true])
        #expect(upgraded["version"]?.stringValue?.hasPrefix(target) == true && upgraded["status"] == "active", "\(upgraded)")
        #expect(upgraded[path: "nodePools", 0, "version"]?.stringValue?.hasPrefix(target) == true, "the pools follow: \(upgraded)")

        _ = try await agent.result("createNodePool", ["provider": "aks", "cluster": "demo", "name": "batch", "nodeCount": 1, "wait": true])
        let batch = try await agent.result("getNodePool", ["provider": "aks", "cluster": "demo", "name": "batch"])
        #expect(batch["status"] == "active" && batch["nodeCount"] == 1 && batch["providerStatus"] == "Succeeded")
        try await agent.failure("createNodePool", ["provider": "aks", "cluster": "demo", "name": "batch"], code: Code.conflict)
        #expect(try await agent.result("listNodePools", ["provider": "aks", "cluster": "demo"])["nodePools"]?.names == ["batch", "default"])
        #expect(fake.receivedRequests.contains { $0.url.path.hasSuffix("/agentPools") && $0.url.query?.contains("skipToken=1") == true },
                "the second page came through nextLink")
        #expect(try await agent.result("waitClusterReady", ["provider": "aks", "name": "demo"])["status"] == "active")
        _ = try await agent.result("deleteNodePool", ["provider": "aks", "cluster": "demo", "name": "batch", "wait": true])

        let deleted = try await agent.result("deleteCluster", ["provider": "aks", "name": "demo", "wait": true])
        #expect(deleted["status"] == "deleted")
        try await agent.failure("getCluster", ["provider": "aks", "name": "demo"], code: Code.notFound)
    }

    /// A Microsoft Entra cluster's kubeconfig can run this agent for its token instead of
    /// kubelogin, and that plugin prints a token.
    @Test func anEntraClusterGetsAKubeconfigWhosePluginIsThisAgent() async throws {
        let (agent, fake) = try await agent(operationDuration: .milliseconds(100))
        // Made the way another tool would, with Entra integration.
        let body = #"{"location": "eastus", "identity": {"type": "SystemAssigned"}, "properties": {"dnsPrefix": "entra", "aadProfile": {"managed": true, "enableAzureRBAC": true}, "agentPoolProfiles": [{"name": "system", "count": 1, "vmSize": "Standard_D2s_v5", "mode": "System", "osType": "Linux", "type": "VirtualMachineScaleSets"}]}}"#
        let created = try await Self.armCall(fake, "PUT", "Microsoft.ContainerService/managedClusters/entra", apiVersion: "2023-11-01", body: body)
        #expect(created.status == 201, "\(String(decoding: created.body, as: UTF8.self))")
        _ = try await agent.result("waitClusterReady", ["provider": "aks", "name": "entra"])

        let home = agent.home["XDG_CONFIG_HOME"]!
        let configFile = "\(home)/cloud-agent/config.json"
        try FileManager.default.createDirectory(atPath: "\(home)/cloud-agent", withIntermediateDirectories: true)
        try Data(JSONSerializer.string(["providers": [Self.entry(fake)]]).utf8).write(to: URL(fileURLWithPath: configFile))
        let path = "\(try Files.temporaryDirectory())/entra-kubeconfig"
        // The agent's own plugin names the config file's provider, so configure through a file.
        let fromFile = try await LocalAgent(providers: [], arguments: ["serve", "--config", configFile], home: agent.home,
                                            environment: Self.noAmbientCredentials)
        _ = try await fromFile.result("getKubeconfig", ["provider": "aks", "name": "entra", "format": "exec", "path": .string(path)])
        let view = try await kubectlView(path)
        let exec = try #require(view[path: "users", 0, "user", "exec"])
        #expect(exec["args"] == ["token", "azure", "--provider", "aks", "--config", .string(configFile)])
        #expect(view[path: "clusters", 0, "cluster", "server"]?.stringValue?.hasPrefix("https://entra") == true)
        let command = try #require(exec["command"]?.stringValue)
        let token = try await AgentProcess.run(["token", "azure", "--provider", "aks", "--config", configFile],
                                               environment: Self.noAmbientCredentials, executableOverride: command)
        #expect(token.status == 0, "\(token.stderr)")
        let credential = try JSONParser.parse(token.stdout)
        #expect(credential["kind"] == "ExecCredential" && credential[path: "status", "token"] == "arm-token")
        // The same for authMode, and a contradiction is refused.
        #expect(try await fromFile.result("getKubeconfig", ["provider": "aks", "name": "entra", "authMode": "agent"])["kubeconfig"]?
                    .stringValue?.contains("token") == true)
        try await fromFile.failure("getKubeconfig", ["provider": "aks", "name": "entra", "authMode": "azure", "format": "exec"],
                                   code: Code.invalidParams, param: "format")
    }

    @Test func aFailedOperationReachesTheCallerWithARMsCodeAndMessage() async throws {
        let (agent, fake) = try await agent(operationDuration: .milliseconds(100))
        fake.failNextOperation(kind: "createCluster", code: "QuotaExceeded",
                               message: "Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota.")
        let error = try await agent.failure("createCluster", ["provider": "aks", "name": "broke", "nodeCount": 1, "wait": true], code: -32009)
        #expect(error["message"]?.stringValue?.contains("exceeding approved standardDSv5Family Cores quota") == true, "\(error)")
        let cluster = try await agent.result("getCluster", ["provider": "aks", "name": "broke"])
        #expect(cluster["status"] == "failed" && cluster["providerStatus"] == "Failed")
    }

    @Test func throttlingHonoursRetryAfterAndAnExpiredTokenIsUnauthenticated() async throws {
        let (agent, fake) = try await agent()
        fake.failNext(1, status: 429, retryAfterSeconds: 1)
        let started = ContinuousClock.now
        #expect(try await agent.result("listClusters", ["provider": "aks"]) == ["clusters": []])
        #expect(ContinuousClock.now - started >= .seconds(1), "the retry waited for Retry-After")
        fake.expireToken("arm-token")
        let error = try await agent.failure("listClusters", ["provider": "aks"], code: -32004)
        #expect(error[path: "data", "type"] == "unauthenticated")
        #expect(error["message"]?.stringValue?.contains("accessToken") == true, "the message names the setting to renew: \(error)")
        #expect(!agent.stderr.contains("arm-token"))
    }

    /// A service principal's secret is traded at the Entra token endpoint, and traded again once
    /// ARM refuses the token; the secret is never logged.
    @Test func aServicePrincipalTradesItsSecretAtTheTokenEndpoint() async throws {
        let fake = try FakeAzure(operationDuration: .milliseconds(100), tokens: [], subscription: Self.subscription)
        let tenant = "11111111-1111-1111-1111-111111111111", client = "22222222-2222-2222-2222-222222222222"
        fake.acceptClientSecret(tenant: tenant, clientID: client, secret: "s3cr3t~value.Q")
        let agent = try await LocalAgent(providers: [LocalAgent.instant, Self.entry(fake, extra: [
            "tenantId": .string(tenant), "clientId": .string(client), "clientSecret": "s3cr3t~value.Q",
            "authorityHost": .string(fake.baseURL.absoluteString)], token: false)], environment: Self.noAmbientCredentials)
        #expect(try await agent.result("listClusters", ["provider": "aks"]) == ["clusters": []])
        #expect(try await agent.result("listClusters", ["provider": "aks"]) == ["clusters": []])
        #expect(fake.tokenGrants == 1, "one grant, then the cached token")
        let grant = try #require(fake.receivedRequests.first { $0.url.path == "/\(tenant)/oauth2/v2.0/token" })
        let form = String(decoding: grant.body, as: UTF8.self)
        #expect(form.contains("grant_type=client_credentials") && form.contains("scope=https%3A%2F%2Fmanagement.azure.com%2F.default"))
        fake.expireIssuedTokens()
        #expect(try await agent.result("listClusters", ["provider": "aks"]) == ["clusters": []])
        #expect(fake.tokenGrants == 2, "ARM refused the expired token once: a new one, and the call sent again")
        #expect(!agent.stderr.contains("s3cr3t"), "the secret is never logged")
        #expect(!agent.stderr.contains(".issued-"), "nor are the tokens")

        let refused = try await LocalAgent(providers: [LocalAgent.instant, Self.entry(fake, extra: [
            "tenantId": .string(tenant), "clientId": .string(client), "clientSecret": "wrong-secret",
            "authorityHost": .string(fake.baseURL.absoluteString)], token: false)], environment: Self.noAmbientCredentials)
        let error = try await refused.failure("listClusters", ["provider": "aks"], code: -32004)
        #expect(error["message"]?.stringValue?.contains("AADSTS7000215") == true, "\(error)")
        #expect(!(error["message"]?.stringValue?.contains("wrong-secret") ?? true))
    }

    @Test func aVirtualMachineRunsStopsDeallocatesStartsAndLeavesNothingBehind() async throws {
        let (agent, fake) = try await agent()
        fake.setPageSize(1)
        let created = try await agent.result("createInstance", [
            "provider": "aks", "name": "web-1", "instanceType": "Standard_B1s", "sshPublicKey": .string(Self.sshKey),
            "subnet": .string(Self.subnet), "tags": ["env": "test"], "userData": "#!/bin/sh\necho hi\n", "diskSizeGb": 64, "wait": true])
        #expect(created["state"] == "running" && created["providerState"] == "running", "\(created)")
        #expect(created["instanceType"] == "Standard_B1s" && created["zone"] == "eastus")
        #expect(created["privateIP"]?.stringValue?.isEmpty == false && created["publicIP"]?.stringValue?.isEmpty == false, "\(created)")
        let id = try #require(created["id"]?.stringValue)
        #expect(id.hasSuffix("/providers/Microsoft.Compute/virtualMachines/web-1"))
        let vmPut = try #require(fake.receivedRequests.first { $0.method == "PUT" && $0.url.path.hasSuffix("/virtualMachines/web-1") })
        let body = try JSONParser.parse(String(decoding: vmPut.body, as: UTF8.self))
        #expect(body[path: "properties", "osProfile", "linuxConfiguration", "ssh", "publicKeys", 0, "keyData"] == .string(Self.sshKey))
        #expect(body[path: "properties", "storageProfile", "osDisk", "deleteOption"] == "Delete")
        #expect(body[path: "properties", "storageProfile", "osDisk", "diskSizeGB"] == 64)
        #expect(body[path: "properties", "networkProfile", "networkInterfaces", 0, "properties", "deleteOption"] == "Delete")
        #expect(body[path: "properties", "osProfile", "customData"] == .string(Data("#!/bin/sh\necho hi\n".utf8).base64EncodedString()))

        #expect(try await agent.result("getInstance", ["provider": "aks", "id": "web-1"])["id"] == .string(id), "a bare name works too")
        #expect(try await agent.result("listInstances", ["provider": "aks", "tags": ["env": "test"]])["instances"]?.names == ["web-1"])
        #expect(try await agent.result("listInstances", ["provider": "aks", "tags": ["env": "prod"]]) == ["instances": []])
        try await agent.failure("createInstance", ["provider": "aks", "name": "web-1", "sshPublicKey": .string(Self.sshKey),
                                                   "subnet": .string(Self.subnet)], code: Code.conflict)

        let stopped = try await agent.result("stopInstance", ["provider": "aks", "id": .string(id), "wait": true])
        #expect(stopped["state"] == "stopped" && stopped["providerState"] == "stopped")
        let deallocated = try await agent.result("stopInstance", ["provider": "aks", "id": .string(id), "deallocate": true, "wait": true])
        #expect(deallocated["state"] == "stopped" && deallocated["providerState"] == "deallocated")
        #expect(try await agent.result("listInstances", ["provider": "aks", "states": ["stopped"]])["instances"]?.names == ["web-1"])
        let starting = try await agent.result("startInstance", ["provider": "aks", "id": .string(id)])
        #expect(starting["state"] == "creating" && starting["providerState"] == "starting")
        let started = try await agent.result("waitInstanceReady", ["provider": "aks", "id": .string(id)])
        #expect(started["state"] == "running")

        let terminated = try await agent.result("terminateInstance", ["provider": "aks", "id": .string(id), "wait": true])
        #expect(terminated["state"] == "deleted")
        try await agent.failure("getInstance", ["provider": "aks", "id": .string(id)], code: Code.notFound)
        #expect(fake.networkInterfaceNames(resourceGroup: "rg-test").isEmpty && fake.publicIPNames(resourceGroup: "rg-test").isEmpty)
        #expect(fake.diskNames(resourceGroup: "rg-test").isEmpty, "deleteOption Delete leaves nothing billable behind")
    }

    @Test func aVirtualMachineNeedsAKeyAndASubnetAndAValidName() async throws {
        let (agent, fake) = try await agent()
        try await agent.failure("createInstance", ["provider": "aks", "name": "web-1", "subnet": .string(Self.subnet)],
                                code: Code.invalidParams, param: "sshPublicKey")
        try await agent.failure("createInstance", ["provider": "aks", "name": "web-1", "sshPublicKey": .string(Self.sshKey)],
                                code: Code.invalidParams, param: "subnet")
        try await agent.failure("createInstance", ["provider": "aks", "name": "web_1", "sshPublicKey": .string(Self.sshKey),
                                                   "subnet": .string(Self.subnet)], code: Code.invalidParams, param: "name")
        #expect(!fake.receivedRequests.contains { $0.method == "PUT" }, "nothing is sent for a request that cannot work")
        // Without a public IP only the interface is made; a repeated create with its token answers the same VM.
        let first = try await agent.result("createInstance", ["provider": "aks", "name": "private-1", "sshPublicKey": .string(Self.sshKey),
                                                              "subnet": .string(Self.subnet), "publicIP": false, "clientToken": "deploy-7"])
        let again = try await agent.result("createInstance", ["provider": "aks", "name": "private-1", "sshPublicKey": .string(Self.sshKey),
                                                              "subnet": .string(Self.subnet), "publicIP": false, "clientToken": "deploy-7"])
        #expect(first["id"] == again["id"])
        #expect(fake.publicIPNames(resourceGroup: "rg-test").isEmpty && fake.networkInterfaceNames(resourceGroup: "rg-test") == ["private-1-nic"])
    }
}
