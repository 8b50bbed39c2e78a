import CloudCore
import Diagnostics
import Foundation
import JSONRPC
import Testing
import TestSupport
@testable import GCPProvider

/// The provider's own logic on scripted GKE and Compute answers.
struct GCPProviderFlowTests {
    static let running = #"{"name": "demo", "location": "us-central1-a", "status": "RUNNING", "endpoint": "34.118.1.2", "masterAuth": {"clusterCaCertificate": "LS0tLS1CRUdJTg=="}, "currentMasterVersion": "1.30.5-gke.1014001", "nodePools": [{"name": "default", "status": "RUNNING", "initialNodeCount": 3, "config": {"machineType": "e2-standard-4"}}]}"#
    static let serverConfig = #"{"defaultClusterVersion": "1.31.2-gke.100", "validMasterVersions": ["1.32.1-gke.5", "1.31.2-gke.100", "1.30.9-gke.7", "1.30.5-gke.1014001", "1.29.9-gke.1"], "channels": [{"channel": "RAPID", "defaultVersion": "1.32.1-gke.5", "validVersions": ["1.33.0-gke.2", "1.32.1-gke.5"]}, {"channel": "REGULAR", "defaultVersion": "1.31.2-gke.100", "validVersions": ["1.32.1-gke.5", "1.31.2-gke.100"]}, {"channel": "STABLE", "defaultVersion": "1.30.9-gke.7", "validVersions": ["1.30.9-gke.7"]}]}"#

    private func kubectlView(_ yaml: String) async throws -> JSONValue {
        let path = "\(NSTemporaryDirectory())/gke-kubeconfig-\(UUID().uuidString).yaml"
        try Data(yaml.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let kubectl = try #require(ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map { "\($0)/kubectl" }
                                       .first { FileManager.default.isExecutableFile(atPath: $0) }, "kubectl must be on PATH")
        let result = try await AgentProcess.run(["config", "view", "--kubeconfig", path, "-o", "json"], executableOverride: kubectl)
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONParser.parse(result.stdout)
    }

    @Test func kubeconfigsRunThisAgentOrGcloudsPluginAndPassKubectl() async throws {
        let gcp = GCPCloudProvider(configuration: ProviderConfiguration(name: "gke", kind: .gcp, region: nil,
                                                                        settings: ["project": "my-project", "location": "us-central1-a"]),
                                   tokens: CountingTokens(), logger: .init(label: "t", sink: LogSink(fileDescriptor: 2, level: .off)),
                                   invocation: AgentInvocation(executable: "/opt/cloud-agent", configFile: "/home/me/.config/cloud-agent/config.json"),
                                   transport: GCPScript([json(200, Self.running), json(200, Self.running)]))
        let agent = try await kubectlView(try await gcp.getKubeconfig(cluster: "demo", options: KubeconfigOptions()))
        #expect(agent["current-context"] == "gke_my-project_us-central1-a_demo")
        #expect(agent[path: "clusters", 0, "cluster", "server"] == "https://34.118.1.2")
        #expect(agent[path: "users", 0, "user", "exec", "command"] == "/opt/cloud-agent")
        #expect(agent[path: "users", 0, "user", "exec", "args"]
                    == ["token", "gcp", "--provider", "gke", "--config", "/home/me/.config/cloud-agent/config.json"])
        let gcloud = try await kubectlView(try await gcp.getKubeconfig(cluster: "demo", options: KubeconfigOptions(authMode: "gcloud")))
        #expect(gcloud[path: "users", 0, "user", "exec", "command"] == "gke-gcloud-auth-plugin")
        #expect(gcloud[path: "users", 0, "user", "exec", "provideClusterInfo"] == true)
        await #expect(throws: CloudProviderError.invalidRequest(field: "authMode", reason: "must be 'agent' or 'gcloud' for the gcp provider")) {
            try await gcp.getKubeconfig(cluster: "demo", options: KubeconfigOptions(authMode: "aws-cli"))
        }
    }

    @Test func upgradeTargetsAreTheNextMinorAndNewerPatches() async throws {
        let gcp = gcpProvider(GCPScript([json(200, Self.serverConfig), json(200, Self.running), json(200, Self.serverConfig)]))
        let all = try await gcp.availableVersions(cluster: nil)
        #expect(all.map(\.version) == ["1.29.9-gke.1", "1.30.5-gke.1014001", "1.30.9-gke.7", "1.31.2-gke.100", "1.32.1-gke.5", "1.33.0-gke.2"],
                "oldest first, with the version only a channel offers")
        #expect(all.filter(\.isDefault).map(\.version) == ["1.31.2-gke.100"])
        let byVersion = Dictionary(uniqueKeysWithValues: all.map { ($0.version, $0) })
        #expect(byVersion["1.32.1-gke.5"]?.releaseChannels == ["rapid", "regular"] && byVersion["1.32.1-gke.5"]?.defaultForChannels == ["rapid"])
        #expect(byVersion["1.30.9-gke.7"]?.releaseChannels == ["stable"] && byVersion["1.30.9-gke.7"]?.defaultForChannels == ["stable"])
        #expect(byVersion["1.29.9-gke.1"]?.releaseChannels == nil && byVersion["1.29.9-gke.1"]?.defaultForChannels == nil)
        let targets = try await gcp.availableVersions(cluster: "demo").map(\.version)
        #expect(targets == ["1.30.9-gke.7", "1.31.2-gke.100"])
    }

    @Test func anInstanceIsCreatedWithItsMetadataLabelsAndARequestIdFromItsToken() async throws {
        let script = GCPScript([
            json(200, #"{"name": "operation-5", "status": "RUNNING", "operationType": "insert"}"#),
            json(200, #"{"name": "operation-5", "status": "RUNNING"}"#),
            json(200, #"{"id": "123", "name": "web", "zone": "https://compute.googleapis.com/compute/v1/projects/my-project/zones/us-central1-a", "status": "PROVISIONING", "machineType": "https://x/zones/us-central1-a/machineTypes/e2-small", "labels": {"team": "a"}, "networkInterfaces": [{"networkIP": "10.128.0.4"}]}"#),
        ])
        let gcp = gcpProvider(script)
        var request = CreateInstanceRequest(name: "web", instanceType: "e2-small", sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@host",
                                            userData: "#!/bin/sh\necho hi", tags: ["team": "a"])
        request.clientToken = "deploy-7"
        let instance = try await gcp.createInstance(request)
        #expect(instance.id == "us-central1-a/web" && instance.state == .creating && instance.instanceType == "e2-small")
        #expect(instance.privateIP == "10.128.0.4" && instance.tags == ["team": "a"] && instance.cloud == .gcp)
        let insert = script.requests[0]
        #expect(insert.url.query == "requestId=\(GCPCloudProvider.requestID(from: "deploy-7"))")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(insert.body)) as? [String: Any])
        #expect(body["machineType"] as? String == "zones/us-central1-a/machineTypes/e2-small")
        let items = ((body["metadata"] as? [String: Any])?["items"] as? [[String: String]]) ?? []
        #expect(items.first { $0["key"] == "startup-script" }?["value"] == "#!/bin/sh\necho hi")
        #expect(items.first { $0["key"] == "ssh-keys" }?["value"]?.hasPrefix("cloud-agent:ssh-ed25519 ") == true)
        let nic = try #require((body["networkInterfaces"] as? [[String: Any]])?.first)
        #expect(nic["network"] as? String == "global/networks/default")
        #expect((nic["accessConfigs"] as? [[String: String]])?.first?["type"] == "ONE_TO_ONE_NAT")
        let disk = try #require((body["disks"] as? [[String: Any]])?.first)
        #expect(disk["boot"] as? Bool == true && disk["autoDelete"] as? Bool == true)
        await #expect(throws: CloudProviderError.invalidRequest(field: "keyName", reason: "Compute Engine has no key pairs; pass sshPublicKey")) {
            var keyed = CreateInstanceRequest(name: "db")
            keyed.keyName = "ops"
            return try await gcp.createInstance(keyed)
        }
    }

    @Test func diskSizeAndNoExternalIPReachTheInsertBody() async throws {
        let script = GCPScript([json(200, #"{"name": "operation-8", "status": "RUNNING"}"#), json(200, #"{"name": "operation-8", "status": "RUNNING"}"#),
                                json(200, #"{"name": "db", "zone": "https://x/zones/europe-west1-b", "status": "PROVISIONING"}"#)])
        var request = CreateInstanceRequest(name: "db", image: "projects/ubuntu-os-cloud/global/images/family/ubuntu-2404-lts-amd64",
                                            zone: "europe-west1-b", subnet: "regions/europe-west1/subnetworks/private")
        request.diskSizeGb = 50
        request.publicIP = false
        _ = try await gcpProvider(script).createInstance(request)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(script.requests[0].body)) as? [String: Any])
        let disk = try #require((body["disks"] as? [[String: Any]])?.first?["initializeParams"] as? [String: Any])
        #expect(disk["diskSizeGb"] as? String == "50" && (disk["sourceImage"] as? String)?.hasSuffix("ubuntu-2404-lts-amd64") == true)
        let nic = try #require((body["networkInterfaces"] as? [[String: Any]])?.first)
        #expect(nic["accessConfigs"] == nil && nic["network"] == nil && nic["subnetwork"] as? String == "regions/europe-west1/subnetworks/private")
        #expect(script.requests[0].url.path == "/compute/v1/projects/my-project/zones/europe-west1-b/instances")
    }

    @Test func aggregatedListsNameInstancesByZoneAndFilterStatesPerPage() async throws {
        let script = GCPScript([json(200, #"""
            {"items": {"zones/us-central1-a": {"instances": [{"name": "web", "status": "RUNNING"}, {"name": "db", "status": "TERMINATED"}]},
                       "zones/europe-west1-b": {"instances": [{"name": "web", "status": "STAGING"}]},
                       "zones/asia-east1-a": {"warning": {"code": "NO_RESULTS_ON_PAGE"}}},
             "nextPageToken": "next"}
            """#)])
        let page = try await gcpProvider(script).listInstances(PageRequest(limit: 10), filter: InstanceFilter(tags: ["env": "prod"], states: [.running, .creating]))
        #expect(page.items.map(\.id) == ["europe-west1-b/web", "us-central1-a/web"] && page.nextPageToken == "next")
        #expect(page.items.map(\.zone) == ["europe-west1-b", "us-central1-a"])
        #expect(script.requests.first?.url.query?.contains("filter=%28labels.env%20%3D%20%22prod%22%29") == true)
    }

    @Test func scalingReportsTheNewSizeUntilGKEDoes() async throws {
        let pool = #"{"name": "default", "status": "RUNNING", "initialNodeCount": 3, "config": {"machineType": "e2-standard-4"}}"#
        let script = GCPScript([json(200, pool), json(200, #"{"name": "operation-6", "status": "RUNNING"}"#),
                                json(200, pool), json(200, #"{"name": "operation-6", "status": "DONE"}"#)])
        let gcp = gcpProvider(script)
        let scaling = try await gcp.scaleNodePool(cluster: "demo", name: "default", nodeCount: 5)
        #expect(scaling.status == .updating && scaling.nodeCount == 5 && scaling.statusMessage == "scaling from 3 to 5 nodes")
        let done = try await gcp.getNodePool(cluster: "demo", name: "default")
        #expect(done.status == .active && done.nodeCount == 5)
        #expect(try JSONSerialization.jsonObject(with: Data(script.requests[1].body)) as? [String: Int] == ["nodeCount": 5])
    }
}
