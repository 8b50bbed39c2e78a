import CloudCore
import Diagnostics
import Foundation
import Testing
@testable import AzureProvider

private let quiet = Logger(label: "t", sink: LogSink(fileDescriptor: 2, level: .off))

func azureProvider(_ transport: any HTTPTransport, settings: [String: SettingValue] = [:]) -> AzureCloudProvider {
    var all: [String: SettingValue] = ["subscriptionId": "00000000-0000-0000-0000-000000000001", "resourceGroup": "rg-test", "location": "eastus"]
    all.merge(settings) { _, new in new }
    return AzureCloudProvider(configuration: ProviderConfiguration(name: "aks", kind: .azure, region: nil, settings: all),
                              tokens: CountingAzureTokens(), environment: [:], logger: quiet,
                              invocation: AgentInvocation(executable: "/bin/cloud-agent"), transport: transport)
}

/// The provider's own logic on scripted ARM answers.
struct AzureProviderFlowTests {
    static let cluster = #"{"id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-test/providers/Microsoft.ContainerService/managedClusters/demo", "name": "demo", "location": "eastus", "tags": {"team": "a"}, "identity": {"type": "SystemAssigned"}, "properties": {"provisioningState": "Succeeded", "powerState": {"code": "Running"}, "kubernetesVersion": "1.29", "currentKubernetesVersion": "1.29.9", "dnsPrefix": "demo", "fqdn": "demo-abc.hcp.eastus.azmk8s.io", "maxAgentPools": 100, "agentPoolProfiles": [{"name": "default", "count": 3, "vmSize": "Standard_D4s_v5", "mode": "System", "orchestratorVersion": "1.29", "currentOrchestratorVersion": "1.29.9", "provisioningState": "Succeeded", "powerState": {"code": "Running"}}], "futureProperty": {"kept": true}}}"#

    @Test func anUpgradePutsTheWholeClusterBackWithTheNewVersions() async throws {
        let script = ARMScript([
            armJSON(200, Self.cluster),
            armJSON(200, Self.cluster),
            armJSON(200, #"{"properties": {"provisioningState": "Upgrading"}, "location": "eastus"}"#,
                    headers: ["Azure-AsyncOperation": "https://management.azure.com/subscriptions/s/providers/Microsoft.ContainerService/locations/eastus/operations/op1?api-version=2023-11-01"]),
        ])
        let aks = azureProvider(script)
        let upgrading = try await aks.upgradeCluster(name: "demo", version: "1.30", nodePools: nil)
        #expect(upgrading.status == .updating && upgrading.statusMessage == "upgrading control plane and node pools to 1.30")
        let put = try #require(script.requests.last)
        #expect(put.method == "PUT" && put.header("Content-Type") == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(put.body)) as? [String: Any])
        let properties = try #require(body["properties"] as? [String: Any])
        #expect(properties["kubernetesVersion"] as? String == "1.30")
        #expect((properties["agentPoolProfiles"] as? [[String: Any]])?.first?["orchestratorVersion"] as? String == "1.30")
        #expect((properties["futureProperty"] as? [String: Any])?["kept"] as? Bool == true, "what the agent does not know goes back as it was")
        #expect(properties["provisioningState"] == nil && properties["fqdn"] == nil && properties["currentKubernetesVersion"] == nil)
        #expect((body["tags"] as? [String: String]) == ["team": "a"])
    }

    @Test func theControlPlaneAloneKeepsThePoolsVersions() async throws {
        let script = ARMScript([armJSON(200, Self.cluster), armJSON(200, Self.cluster),
                                armJSON(202, "{}", headers: ["Location": "https://management.azure.com/loc/1"])])
        _ = try await azureProvider(script).upgradeCluster(name: "demo", version: "1.30", nodePools: false)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(script.requests[2].body)) as? [String: Any])
        let pool = try #require(((body["properties"] as? [String: Any])?["agentPoolProfiles"] as? [[String: Any]])?.first)
        #expect(pool["orchestratorVersion"] as? String == "1.29")
        // Upgrading to the version it has answers the cluster as it is.
        let same = ARMScript([armJSON(200, Self.cluster)])
        #expect(try await azureProvider(same).upgradeCluster(name: "demo", version: "1.29", nodePools: nil).status == .active)
        #expect(same.requests.count == 1)
    }

    @Test func versionsAreEveryPatchOldestFirstWithTheDefaultMinorsNewest() async throws {
        let script = ARMScript([armJSON(200, #"{"values": [{"version": "1.30", "isDefault": true, "capabilities": {"supportPlan": ["KubernetesOfficial", "AKSLongTermSupport"]}, "patchVersions": {"1.30.5": {"upgrades": []}, "1.30.10": {"upgrades": []}}}, {"version": "1.29", "capabilities": {"supportPlan": ["KubernetesOfficial"]}, "patchVersions": {"1.29.9": {"upgrades": ["1.30.5"]}}}, {"version": "1.31", "isPreview": true, "patchVersions": {"1.31.1": {}}}]}"#)])
        let versions = try await azureProvider(script).availableVersions(cluster: nil)
        #expect(versions.map(\.version) == ["1.29.9", "1.30.5", "1.30.10"])
        #expect(versions.filter(\.isDefault).map(\.version) == ["1.30.10"])
        #expect(versions.allSatisfy { $0.support == "standard" })
        #expect(script.requests.first?.url.path == "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.ContainerService/locations/eastus/kubernetesVersions")
    }

    @Test func instanceIdsAreResourceIdsGroupSlashNameOrNames() async throws {
        let aks = azureProvider(ARMScript([]))
        #expect(try await aks.locate("/subscriptions/s/resourceGroups/Other-RG/providers/Microsoft.Compute/virtualMachines/web-1") == ("Other-RG", "web-1"))
        #expect(try await aks.locate("other/web-1") == ("other", "web-1"))
        #expect(try await aks.locate("web-1") == ("rg-test", "web-1"))
        await #expect(throws: CloudProviderError.self) { _ = try await aks.locate("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n") }
        await #expect(throws: CloudProviderError.self) { _ = try await aks.locate("a/b/c") }
    }

    @Test func imagesAreURNsOrIdsAndZonesAreDigitsOfTheLocation() throws {
        #expect(try AzureCloudProvider.imageReference("Canonical:ubuntu-24_04-lts:server:latest")
                    == .init(publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest"))
        #expect(try AzureCloudProvider.imageReference("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/golden").id != nil)
        #expect(throws: CloudProviderError.self) { try AzureCloudProvider.imageReference("ubuntu") }
        #expect(try AzureCloudProvider.availabilityZone("2", location: "eastus") == "2")
        #expect(try AzureCloudProvider.availabilityZone("eastus-3", location: "eastus") == "3")
        #expect(try AzureCloudProvider.availabilityZone("eastus", location: "eastus") == nil)
        #expect(try AzureCloudProvider.availabilityZone(nil, location: "eastus") == nil)
        #expect(throws: CloudProviderError.self) { try AzureCloudProvider.availabilityZone("westus-1", location: "eastus") }
    }

    @Test func namesAreCheckedBeforeAnyCall() async throws {
        let script = ARMScript([])
        let aks = azureProvider(script)
        await #expect(throws: CloudProviderError.invalidRequest(field: "name", reason: "must be 1 to 64 letters, digits and '-', not starting or ending with '-' (Azure's rule for Linux VMs); got \"web_1\"")) {
            _ = try await aks.createInstance(CreateInstanceRequest(name: "web_1", sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl me@host"))
        }
        await #expect(throws: CloudProviderError.self) { _ = try await aks.createCluster(CreateClusterRequest(name: "-bad")) }
        await #expect(throws: CloudProviderError.self) { _ = try await aks.createNodePool(CreateNodePoolRequest(cluster: "demo", name: "Pool_1")) }
        #expect(script.requests.isEmpty)
        #expect(AzureNames.dnsPrefix(for: "my_cluster-") == "my-cluster")
    }

    @Test func kubeconfigModesComeFromAuthModeOrAKSsFormat() throws {
        #expect(try AKSKubeconfig.mode(KubeconfigOptions()) == .azure)
        #expect(try AKSKubeconfig.mode(KubeconfigOptions(format: "exec")) == .agent)
        #expect(try AKSKubeconfig.mode(KubeconfigOptions(authMode: "agent", format: "exec")) == .agent)
        #expect(throws: CloudProviderError.self) { try AKSKubeconfig.mode(KubeconfigOptions(authMode: "azure", format: "exec")) }
        #expect(throws: CloudProviderError.self) { try AKSKubeconfig.mode(KubeconfigOptions(format: "yaml")) }
        let yaml = "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: LS0tQ0E=\n    server: https://demo-abc.hcp.eastus.azmk8s.io:443\n  name: demo\n"
        #expect(AKSKubeconfig.serverAndCA(of: yaml)?.server == "https://demo-abc.hcp.eastus.azmk8s.io:443")
        #expect(AKSKubeconfig.serverAndCA(of: yaml)?.caData == "LS0tQ0E=")
    }

    @Test func statusesFollowProvisioningThenPower() {
        #expect(AzureStatusMapping.cluster("Succeeded", power: "Running") == .active)
        #expect(AzureStatusMapping.cluster("Succeeded", power: "Stopped") == .stopped)
        #expect(AzureStatusMapping.cluster("Upgrading", power: "Running") == .updating)
        #expect(AzureStatusMapping.cluster("Creating", power: nil) == .creating)
        #expect(AzureStatusMapping.cluster("Failed", power: "Running") == .failed)
        #expect(AzureStatusMapping.cluster("Somethingnew", power: nil) == .unknown)
        #expect(AzureStatusMapping.instance("Succeeded", power: "deallocated") == .stopped)
        #expect(AzureStatusMapping.instance("Updating", power: "starting") == .creating)
        #expect(AzureStatusMapping.instance("Succeeded", power: "deallocating") == .stopping)
        #expect(AzureStatusMapping.instance("Creating", power: nil) == .creating)
        #expect(AzureStatusMapping.instance("Deleting", power: "running") == .deleting)
    }
}
