import CloudCore

/// ARM's `provisioningState` and power states onto the shared vocabulary (the raw values
/// stay in `providerStatus` / `providerState`), and ARM resources onto the shared models.
enum AzureStatusMapping {
    /// A managed cluster or agent pool: `provisioningState`, then its `powerState`.
    static func cluster(_ provisioningState: String?, power: String?) -> ResourceStatus {
        switch provisioningState?.lowercased() {
        case "creating": return .creating
        case "updating", "upgrading", "scaling", "starting", "migrating", "reconcilingclusteretcdcertificates", "canceling":
            return .updating
        case "stopping": return .stopping
        case "deleting": return .deleting
        case "failed": return .failed
        case "succeeded", "canceled":
            return power?.lowercased() == "stopped" ? .stopped : .active
        default: return .unknown
        }
    }

    /// A virtual machine: `provisioningState` for creation, deletion and failure, else the
    /// instance view's power state.
    static func instance(_ provisioningState: String?, power: String?) -> ResourceStatus {
        switch provisioningState?.lowercased() {
        case "deleting": return .deleting
        case "failed": return .failed
        case "creating" where power == nil: return .creating
        default: break
        }
        switch power?.lowercased() {
        case "running": return .running
        case "starting": return .creating
        case "stopping", "deallocating": return .stopping
        case "stopped", "deallocated": return .stopped
        default: return provisioningState?.lowercased() == "creating" ? .creating : .unknown
        }
    }

    /// The resource group of an ARM resource id (`/subscriptions/S/resourceGroups/RG/…`).
    static func resourceGroup(of id: String?) -> String? {
        guard let parts = id?.split(separator: "/"), let index = parts.firstIndex(where: { $0.lowercased() == "resourcegroups" }),
              index + 1 < parts.count else { return nil }
        return String(parts[index + 1])
    }

    /// The last segment of a resource id.
    static func lastSegment(_ id: String?) -> String {
        guard let id else { return "" }
        return id.split(separator: "/").last.map(String.init) ?? id
    }

    static func nodePool(_ profile: AKSAgentPoolProfile, name: String, cluster: String, clusterID: String) -> NodePool {
        let power = profile.powerState?.code
        let status = Self.cluster(profile.provisioningState, power: power)
        return NodePool(id: "\(clusterID)/agentPools/\(name)", name: name, cluster: cluster, status: status,
                        providerStatus: profile.provisioningState ?? "Unknown",
                        statusMessage: status == .stopped ? "power state \(power ?? "")" : nil,
                        nodeCount: profile.count ?? 0, nodeType: profile.vmSize ?? "",
                        version: profile.currentOrchestratorVersion ?? profile.orchestratorVersion ?? "", createdAt: "")
    }

    static func kubernetesCluster(_ aks: AKSManagedCluster, name: String, provider: String, id fallbackID: String) -> KubernetesCluster {
        let id = aks.id ?? fallbackID
        let properties = aks.properties
        let power = properties.powerState?.code
        let status = cluster(properties.provisioningState, power: power)
        let host = properties.fqdn ?? properties.privateFQDN
        return KubernetesCluster(
            id: id, name: name, provider: provider, cloud: .azure, region: aks.location,
            version: properties.currentKubernetesVersion ?? properties.kubernetesVersion ?? "", status: status,
            providerStatus: properties.provisioningState ?? "Unknown",
            statusMessage: status == .stopped ? "power state \(power ?? "")" : nil,
            endpoint: host.flatMap { $0.isEmpty ? nil : "https://\($0):443" },
            nodePools: (properties.agentPoolProfiles ?? []).compactMap { profile in
                profile.name.map { nodePool(profile, name: $0, cluster: name, clusterID: id) }
            }.sorted { $0.name < $1.name },
            createdAt: "", tags: aks.tags ?? [:])
    }

    /// The image a VM was made from, as a URN (`publisher:offer:sku:version`) or its id.
    static func image(_ reference: AzureVirtualMachine.ImageReference?) -> String {
        guard let reference else { return "" }
        if let id = reference.id { return id }
        return [reference.publisher, reference.offer, reference.sku, reference.version].map { $0 ?? "" }.joined(separator: ":")
    }

    /// A VM's zone: `LOCATION-N` in availability zone N, else its location.
    static func zone(of vm: AzureVirtualMachine) -> String {
        vm.zones?.first.map { "\(vm.location)-\($0)" } ?? vm.location
    }

    /// The shared instance; `providerState` is the power state, else the provisioning state (a
    /// failure as the instance view's code, `ProvisioningState/failed/AllocationFailed`).
    static func instance(_ vm: AzureVirtualMachine, name: String, provider: String, id: String, publicIP: String?, privateIP: String?) -> Instance {
        let power = vm.powerState
        let state = instance(vm.properties.provisioningState, power: power)
        let raw = ["creating", "deleting", "failed"].contains(vm.properties.provisioningState?.lowercased() ?? "") || power == nil
            ? (state == .failed ? vm.provisioningFailure : nil) ?? vm.properties.provisioningState ?? "Unknown" : power!
        return Instance(id: vm.id ?? id, name: name, provider: provider, cloud: .azure, state: state, providerState: raw,
                        instanceType: vm.properties.hardwareProfile?.vmSize ?? "", image: image(vm.properties.storageProfile?.imageReference),
                        zone: zone(of: vm), publicIP: publicIP, privateIP: privateIP, tags: vm.tags ?? [:],
                        createdAt: vm.properties.timeCreated ?? "")
    }
}
