import CloudCore
import Diagnostics
import Foundation

/// Cluster upgrades: the control plane by `clusters.updateMaster`, then the node pools one at
/// a time by `nodePools.update` (GKE runs one operation per cluster at once), and the
/// versions GKE offers.
extension GCPCloudProvider {
    // MARK: - Upgrades

    /// Upgrades the control plane to `version`, then (unless `nodePools` is false) every
    /// ready node pool to the control plane's new version. Asking again for an upgrade under
    /// way answers the cluster as it is; asking again once the control plane is there
    /// upgrades the node pools still behind it, so a retry finishes what an agent that exited
    /// left undone.
    public func upgradeCluster(name clusterName: String, version: String, nodePools: Bool?) async throws -> KubernetesCluster {
        let withPools = nodePools ?? true
        var current = try await getCluster(name: clusterName)
        if Self.version(current.version, matches: version) {
            guard withPools, poolUpgrades.running[clusterName] == nil else { return current }
            let behind = current.nodePools.filter { $0.status == .active && !Self.version($0.version, matches: current.version) }
            guard !behind.isEmpty else { return current }
            try current.requireActiveForUpgrade()
            startPoolUpgrades(cluster: clusterName, location: current.region, after: nil, version: version)
            current.status = .updating
            current.statusMessage = "upgrading node pools to \(current.version)"
            return current
        }
        if let tracked = clusterOperations[clusterName], tracked.type == "UPGRADE_MASTER", tracked.detail.hasSuffix(" \(version)") {
            return current
        }
        try current.requireActiveForUpgrade()
        let operation = try await gke.updateMaster(project: try await projectID(), location: current.region, clusterName, version: version)
        clusterOperations[clusterName] = TrackedOperation(name: operation.name, location: current.region, type: "UPGRADE_MASTER",
                                                          detail: "upgrading control plane to \(version)")
        if withPools {
            startPoolUpgrades(cluster: clusterName, location: current.region, after: operation.name, version: version)
        }
        current.status = .updating
        current.statusMessage = "upgrading control plane to \(version)"
        return current
    }

    /// Whether `actual` (a full GKE version) is `asked` or within it (`1.31` holds `1.31.5-gke.1000000`).
    static func version(_ actual: String, matches asked: String) -> Bool {
        actual == asked || actual.hasPrefix(asked + ".") || actual.hasPrefix(asked + "-")
    }

    /// The node pool upgrades under way, for people.
    public func backgroundWork() async -> [String] { poolUpgrades.descriptions }

    /// Returns once no node pool upgrade is under way.
    public func finishBackgroundWork() async {
        while let task = poolUpgrades.anyTask {
            await task.value
        }
    }

    private func startPoolUpgrades(cluster: String, location: String, after masterOperation: String?, version: String) {
        poolUpgrades.start(cluster: cluster, version: version,
                           task: Task { await self.upgradePools(cluster: cluster, location: location, after: masterOperation, version: version) })
    }

    /// Waits for the control plane's operation, then upgrades each ready node pool that is not
    /// at the control plane's version, one after the other.
    private func upgradePools(cluster: String, location: String, after masterOperation: String?, version: String) async {
        defer { poolUpgrades.finish(cluster) }
        do {
            let project = try await projectID()
            if let masterOperation {
                // A failed control plane upgrade is reported by getCluster from its operation.
                guard try await follow(masterOperation, project: project, location: location).error?.message == nil else { return }
            }
            let current = try await gke.getCluster(project: project, location: location, cluster)
            guard let master = current.currentMasterVersion, Self.version(master, matches: version) else { return }
            let behind = (current.nodePools ?? []).filter { GCPStatusMapping.nodePool($0.status) == .active && $0.version != master }
                .sorted { $0.name < $1.name }
            for (index, pool) in behind.enumerated() {
                try Task.checkCancellation()
                poolUpgrades.setPhase("upgrading node pool \(pool.name) to \(master) (\(index + 1) of \(behind.count))", of: cluster)
                let operation = try await retryingWhileBusy(policy: pollPolicy, logger: logger, service: "GKE") {
                    try await self.gke.updateNodePoolVersion(project: project, location: location, cluster: cluster, pool.name,
                                                             version: master, imageType: pool.config?.imageType)
                }
                poolOperations["\(cluster)/\(pool.name)"] = TrackedOperation(name: operation.name, location: location, type: "UPGRADE_NODES",
                                                                            detail: "upgrading nodes to \(master)")
                if let message = try await follow(operation.name, project: project, location: location).error?.message {
                    poolUpgrades.fail(cluster, "upgrading node pool \(pool.name) to \(master) failed: \(message)")
                    return
                }
            }
            if !behind.isEmpty { logger.info("cluster \(cluster): \(behind.count) node pool(s) upgraded to \(master)") }
        } catch is CancellationError {
            return
        } catch {
            logger.error("cluster \(cluster): the node pool upgrades to \(version) stopped: \(error)")
            poolUpgrades.fail(cluster, "upgrading the node pools to \(version) stopped: \(error)")
        }
    }

    /// Polls a GKE operation until it is DONE, with the provider's poll policy.
    private func follow(_ operation: String, project: String, location: String) async throws -> GKEOperation {
        var attempt = 0
        while true {
            let state = try await gke.getOperation(project: project, location: location, operation)
            if state.isDone { return state }
            attempt += 1
            try await Task.sleep(for: pollPolicy.delay(attempt: attempt))
        }
    }

    // MARK: - Versions

    /// The location's versions from getServerConfig, each with the release channels that
    /// offer it and those whose default it is; given a cluster, its upgrade targets.
    public func availableVersions(cluster clusterName: String?) async throws -> [KubernetesVersion] {
        let project = try await projectID()
        var location = try defaultLocation
        var current: String?
        if let clusterName {
            let cluster = try await getCluster(name: clusterName)
            location = cluster.region
            current = cluster.version
        }
        let config = try await gke.serverConfig(project: project, location: location)
        let versions = Self.versions(of: config)
        guard let current else { return versions }
        let (major, minor) = Self.minor(current)
        // GKE upgrades the control plane one minor version at a time (patches within it too).
        return versions.filter {
            let target = Self.minor($0.version)
            return target.major == major && (target.minor == minor + 1 || (target.minor == minor && $0.version.compare(current, options: .numeric) == .orderedDescending))
        }
    }

    /// `validMasterVersions` (and any version only a channel offers), oldest first;
    /// `isDefault` is `defaultClusterVersion`.
    static func versions(of config: GKEServerConfig) -> [KubernetesVersion] {
        let channels = config.channels ?? []
        var listed = config.validMasterVersions ?? []
        for channel in channels {
            for version in channel.validVersions ?? [] where !listed.contains(version) { listed.append(version) }
        }
        listed.sort { $0.compare($1, options: .numeric) == .orderedAscending }
        return listed.map { version in
            var entry = KubernetesVersion(version: version, isDefault: version == config.defaultClusterVersion)
            let offering = channels.filter { $0.validVersions?.contains(version) == true }.compactMap { $0.channel?.lowercased() }
            let defaulting = channels.filter { $0.defaultVersion == version }.compactMap { $0.channel?.lowercased() }
            entry.releaseChannels = offering.isEmpty ? nil : offering
            entry.defaultForChannels = defaulting.isEmpty ? nil : defaulting
            return entry
        }
    }

    static func minor(_ version: String) -> (major: Int, minor: Int) {
        let parts = version.split(separator: ".")
        return (parts.count > 0 ? Int(parts[0]) ?? 0 : 0, parts.count > 1 ? Int(parts[1].prefix(while: \.isNumber)) ?? 0 : 0)
    }
}
