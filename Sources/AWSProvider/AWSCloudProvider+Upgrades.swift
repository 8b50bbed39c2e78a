import CloudCore
import Foundation

/// Cluster upgrades: the control plane by UpdateClusterVersion, then the managed node groups
/// one at a time by UpdateNodegroupVersion (as `eksctl upgrade` does, so the cluster never
/// loses more than one group's capacity at once), and the versions EKS offers.
extension AWSCloudProvider {
    // MARK: - Upgrades

    /// Upgrades the control plane to `version`, then (unless `nodePools` is false) every
    /// active managed node group to the control plane's new version. Asking again for an
    /// upgrade under way answers the cluster as it is; asking again once the control plane is
    /// there upgrades the node groups still behind it, so a retry finishes what an agent that
    /// exited left undone.
    public func upgradeCluster(name: String, version: String, nodePools: Bool?) async throws -> KubernetesCluster {
        let withPools = nodePools ?? true
        var current = try await getCluster(name: name)
        if current.version == version {
            guard withPools, nodegroupUpgrades.running[name] == nil else { return current }
            let behind = current.nodePools.filter { $0.status == .active && $0.version != current.version }
            guard !behind.isEmpty else { return current }
            try current.requireActiveForUpgrade()
            startNodegroupUpgrades(cluster: name, after: nil, version: version)
            current.status = .updating
            current.statusMessage = "upgrading node groups to \(version)"
            return current
        }
        if updates[name]?.version == version { return current }
        try current.requireActiveForUpgrade()
        let update = try await eks.updateClusterVersion(name, version: version, token: UUID().uuidString)
        updates[name] = (update.id, version)
        if withPools {
            startNodegroupUpgrades(cluster: name, after: update.id, version: version)
        }
        current.status = .updating
        current.statusMessage = "upgrading control plane to \(version)"
        return current
    }

    private func startNodegroupUpgrades(cluster: String, after controlPlaneUpdate: String?, version: String) {
        nodegroupUpgrades.start(cluster: cluster, version: version,
                                task: Task { await self.upgradeNodegroups(cluster: cluster, after: controlPlaneUpdate, version: version) })
    }

    /// Waits for the control plane's update, then upgrades each active node group that is not
    /// at the control plane's version, one after the other.
    private func upgradeNodegroups(cluster: String, after controlPlaneUpdate: String?, version: String) async {
        defer { nodegroupUpgrades.finish(cluster) }
        do {
            if let controlPlaneUpdate {
                // A failed control plane update is reported by getCluster from its update.
                guard try await follow(controlPlaneUpdate, cluster: cluster, nodegroup: nil).status == "Successful" else { return }
            }
            guard let controlPlane = try await eks.describeCluster(cluster).version, controlPlane == version else { return }
            var behind: [String] = []
            for group in try await allNodegroupNames(cluster: cluster).sorted() {
                let described = try await eks.describeNodegroup(cluster: cluster, name: group)
                if EKSStatusMapping.nodegroup(described.status) == .active, described.version != controlPlane { behind.append(group) }
            }
            for (index, group) in behind.enumerated() {
                try Task.checkCancellation()
                nodegroupUpgrades.setPhase("upgrading node group \(group) to \(controlPlane) (\(index + 1) of \(behind.count))", of: cluster)
                let update = try await retryingWhileBusy(policy: pollPolicy, logger: logger, service: "EKS") {
                    try await self.eks.updateNodegroupVersion(cluster: cluster, name: group, version: controlPlane, token: UUID().uuidString)
                }
                let final = try await follow(update.id, cluster: cluster, nodegroup: group)
                guard final.status == "Successful" else {
                    let detail = final.errors?.map { [$0.errorCode, $0.errorMessage].compactMap { $0 }.joined(separator: ": ") }.joined(separator: "; ")
                    nodegroupUpgrades.fail(cluster, "upgrading node group \(group) to \(controlPlane) \(final.status.lowercased())"
                                                + (detail.map { ": \($0)" } ?? ""))
                    return
                }
            }
            if !behind.isEmpty { logger.info("cluster \(cluster): \(behind.count) node group(s) upgraded to \(controlPlane)") }
        } catch is CancellationError {
            return
        } catch {
            logger.error("cluster \(cluster): the node group upgrades to \(version) stopped: \(error)")
            nodegroupUpgrades.fail(cluster, "upgrading the node groups to \(version) stopped: \(error)")
        }
    }

    /// Polls an update (of the control plane, or of `nodegroup`) until it is no longer
    /// `InProgress`, with the provider's poll policy.
    private func follow(_ updateID: String, cluster: String, nodegroup: String?) async throws -> EKSUpdate {
        var attempt = 0
        while true {
            let update = try await eks.describeUpdate(cluster, updateID: updateID, nodegroup: nodegroup)
            if update.status != "InProgress" { return update }
            attempt += 1
            try await Task.sleep(for: pollPolicy.delay(attempt: attempt))
        }
    }

    // MARK: - Versions

    /// EKS's versions from DescribeClusterVersions; where that API is unavailable (older
    /// partitions, test servers), the versions EKS supported in standard support on this
    /// agent's release, newest default.
    public func availableVersions(cluster: String?) async throws -> [KubernetesVersion] {
        var versions: [KubernetesVersion]
        do {
            var all: [EKSClusterVersion] = []
            var token: String?
            repeat {
                let page = try await eks.describeClusterVersions(nextToken: token)
                all += page.clusterVersions
                token = page.nextToken
            } while token != nil
            versions = all.map { version in
                let status = (version.versionStatus ?? version.status ?? "").uppercased()
                return KubernetesVersion(version: version.clusterVersion, isDefault: version.defaultVersion ?? false,
                                         support: status.contains("EXTENDED") ? "extended" : status.contains("STANDARD") ? "standard" : nil)
            }
        } catch let error as CloudProviderError {
            guard case .providerError = error else { throw error }
            versions = Self.fallbackVersions
        } catch {
            versions = Self.fallbackVersions
        }
        versions.sort { Self.minor($0.version) < Self.minor($1.version) }
        guard let cluster else { return versions }
        let current = Self.minor(try await eks.describeCluster(cluster).version ?? "")
        return versions.filter { Self.minor($0.version).major == current.major && Self.minor($0.version).minor == current.minor + 1 }
    }

    static let fallbackVersions: [KubernetesVersion] = [
        KubernetesVersion(version: "1.30", isDefault: false, support: "extended"),
        KubernetesVersion(version: "1.31", isDefault: false, support: "extended"),
        KubernetesVersion(version: "1.32", isDefault: false, support: "standard"),
        KubernetesVersion(version: "1.33", isDefault: true, support: "standard"),
        KubernetesVersion(version: "1.34", isDefault: false, support: "standard"),
    ]

    static func minor(_ version: String) -> (major: Int, minor: Int) {
        let parts = version.split(separator: ".")
        return (parts.count > 0 ? Int(parts[0]) ?? 0 : 0, parts.count > 1 ? Int(parts[1].prefix(while: \.isNumber)) ?? 0 : 0)
    }
}
