import CloudCore
import Foundation

/// Kubeconfigs, upgrades and versions of AKS clusters.
extension AzureCloudProvider {
    // MARK: - Kubeconfig

    public func getKubeconfig(cluster clusterName: String, options: KubeconfigOptions) async throws -> String {
        let mode = try AKSKubeconfig.mode(options)
        let cluster = try await describe(clusterName)
        let status = AzureStatusMapping.cluster(cluster.properties.provisioningState, power: cluster.properties.powerState?.code)
        guard cluster.properties.fqdn != nil || cluster.properties.privateFQDN != nil, status != .creating, status != .deleting else {
            throw CloudProviderError.conflict(resourceType: "cluster", name: clusterName,
                                              reason: "is \(cluster.properties.provisioningState ?? "?") and has no API server yet; wait for it with waitClusterReady")
        }
        let group = try group(ofCluster: clusterName)
        let results = try await aks.userCredentials(resourceGroup: group, clusterName)
        let kubeconfig = try AKSKubeconfig.decode(results, cluster: clusterName)
        guard mode == .agent else { return kubeconfig }
        guard cluster.properties.aadProfile != nil else {
            throw CloudProviderError.invalidRequest(field: options.format != nil ? "format" : "authMode",
                                                    reason: "needs a cluster with Microsoft Entra integration (aadProfile); cluster '\(clusterName)' has local accounts, whose kubeconfig carries its own credentials: leave it out")
        }
        guard let (server, ca) = AKSKubeconfig.serverAndCA(of: kubeconfig) else {
            throw CloudProviderError.providerError(ProviderFailure(code: "MalformedResponse",
                                                                   message: "the kubeconfig AKS answered for cluster '\(clusterName)' names no server and CA"))
        }
        var arguments = ["token", "azure"]
        if let configFile = invocation.configFile {
            arguments += ["--provider", name, "--config", configFile]
        }
        return AKSKubeconfig.agent(cluster: clusterName, server: server, caData: ca, agentPath: invocation.executable, agentArguments: arguments)
    }

    // MARK: - Upgrades

    /// Upgrades by PUTting the cluster back with the new `kubernetesVersion` (and, unless
    /// `nodePools` is false, every agent pool's `orchestratorVersion`): one ARM operation that
    /// upgrades the control plane, then the pools.
    public func upgradeCluster(name clusterName: String, version: String, nodePools: Bool?) async throws -> KubernetesCluster {
        let withPools = nodePools ?? true
        var current = try await getCluster(name: clusterName)
        let group = try group(ofCluster: clusterName)
        if let tracked = clusterOperations[clusterName], tracked.kind == "upgradeCluster", tracked.detail.hasSuffix(" \(version)") {
            return current
        }
        let poolsBehind = current.nodePools.contains { !Self.version($0.version, matches: version) }
        if Self.version(current.version, matches: version), !(withPools && poolsBehind) {
            return current
        }
        guard current.status == .active else {
            throw CloudProviderError.conflict(resourceType: "cluster", name: clusterName,
                                              reason: "is \(current.status.rawValue); only an active cluster can be upgraded")
        }
        var raw = try await aks.getRaw(resourceGroup: group, clusterName)
        var properties = raw["properties"] as? [String: Any] ?? [:]
        properties["kubernetesVersion"] = version
        if withPools, var pools = properties["agentPoolProfiles"] as? [[String: Any]] {
            for index in pools.indices { pools[index]["orchestratorVersion"] = version }
            properties["agentPoolProfiles"] = pools
        }
        for readOnly in ["provisioningState", "powerState", "fqdn", "privateFQDN", "azurePortalFQDN", "currentKubernetesVersion", "maxAgentPools"] {
            properties[readOnly] = nil
        }
        raw["properties"] = properties
        let detail = withPools ? "upgrading control plane and node pools to \(version)" : "upgrading control plane to \(version)"
        if let operation = try await aks.putRaw(resourceGroup: group, clusterName, raw) {
            clusterOperations[clusterName] = TrackedOperation(reference: operation, kind: "upgradeCluster", detail: detail)
        }
        current.status = .updating
        current.statusMessage = detail
        return current
    }

    /// Whether `actual` (`1.29.9`) is `asked` or within it (`1.29`).
    static func version(_ actual: String, matches asked: String) -> Bool {
        actual == asked || actual.hasPrefix(asked + ".")
    }

    // MARK: - Versions

    /// Without a cluster: the location's versions (each patch of each minor AKS offers, not
    /// previews), oldest first, the default minor's newest patch marked. With one: its
    /// upgrade profile's targets.
    public func availableVersions(cluster clusterName: String?) async throws -> [KubernetesVersion] {
        if let clusterName {
            let profile = try await aks.upgradeProfile(resourceGroup: try group(ofCluster: clusterName), clusterName)
            return (profile.properties?.controlPlaneProfile?.upgrades ?? []).filter { $0.isPreview != true }
                .map { KubernetesVersion(version: $0.kubernetesVersion, isDefault: false) }
                .sorted { $0.version.compare($1.version, options: .numeric) == .orderedAscending }
        }
        let offered = try await aks.kubernetesVersions(location: try defaultLocation).values ?? []
        var versions: [KubernetesVersion] = []
        for minor in offered where minor.isPreview != true {
            let patches = (minor.patchVersions ?? [:]).keys.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            let plans = minor.capabilities?.supportPlan ?? []
            let support = plans.contains("KubernetesOfficial") ? "standard" : plans.contains("AKSLongTermSupport") ? "extended" : nil
            for (index, patch) in (patches.isEmpty ? [minor.version] : patches).enumerated() {
                let newest = index == max(patches.count, 1) - 1
                versions.append(KubernetesVersion(version: patch, isDefault: minor.isDefault == true && newest, support: support))
            }
        }
        return versions.sorted { $0.version.compare($1.version, options: .numeric) == .orderedAscending }
    }
}
