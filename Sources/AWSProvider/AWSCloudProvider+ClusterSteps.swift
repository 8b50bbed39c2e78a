import CloudCore
import CryptoPrimitives
import Diagnostics

/// The multi-call cluster steps EKS leaves to its callers: adding the initial node group once a
/// new cluster is active, and deleting a cluster once its node groups are gone. Each step is
/// written to the provider's `ClusterStepJournal` before it begins, so an agent that looks at
/// the cluster later takes the step up if the one that began it is gone.
extension AWSCloudProvider {
    /// One background step on one cluster.
    struct ClusterStep: Hashable, Sendable, CustomStringConvertible {
        var kind: ClusterStepJournal.Entry.Kind
        var cluster: String

        var description: String {
            switch kind {
            case .createInitialNodegroup:
                return "create node group \(AWSCloudProvider.initialNodegroupName) of cluster \(cluster) once the cluster is active"
            case .deleteAfterNodegroups:
                return "delete cluster \(cluster) once its node groups are gone"
            }
        }
    }

    /// Starts `kind` on `cluster` unless this agent is already taking it.
    func startStep(_ kind: ClusterStepJournal.Entry.Kind, cluster: String) {
        let step = ClusterStep(kind: kind, cluster: cluster)
        guard steps[step] == nil else { return }
        steps[step] = Task {
            switch kind {
            case .createInitialNodegroup: await self.createInitialNodegroup(step)
            case .deleteAfterNodegroups: await self.deleteAfterNodegroups(step)
            }
            self.steps[step] = nil
        }
    }

    /// The steps and node group upgrades still running, for people.
    public func backgroundWork() async -> [String] {
        (steps.keys.map(\.description) + nodegroupUpgrades.descriptions).sorted()
    }

    /// Returns once no step or node group upgrade is running.
    public func finishBackgroundWork() async {
        while let task = steps.values.first ?? nodegroupUpgrades.anyTask {
            await task.value
        }
    }

    /// Adjusts the reported cluster to the steps promised for it, and takes up any step no
    /// task of this agent is taking: a cluster whose initial node group is not active yet is
    /// still `creating`; one whose node groups are being deleted first is already `deleting`.
    func applySteps(of cluster: EKSCluster, pools: [NodePool], to result: inout KubernetesCluster) {
        let name = cluster.name
        let promised = journal.entries(cluster: name, region: region)
        if promised.contains(where: { $0.kind == .deleteAfterNodegroups }) {
            if [.active, .updating, .failed].contains(result.status) {
                result.status = .deleting
                result.statusMessage = "deleting node groups" + retrying(.deleteAfterNodegroups, name)
                startStep(.deleteAfterNodegroups, cluster: name)
            }
            return
        }
        if let failure = initialNodegroupFailures[name] {
            result.status = .failed
            result.statusMessage = "node group \(Self.initialNodegroupName) could not be created: \(failure)"
            return
        }
        guard promised.contains(where: { $0.kind == .createInitialNodegroup }) else { return }
        switch result.status {
        case .active, .updating:
            let pool = pools.first { $0.name == Self.initialNodegroupName }
            switch pool?.status {
            case .active?, .updating?:
                journal.remove(.createInitialNodegroup, cluster: name, region: region)
            case .failed?:
                result.status = .failed
                result.statusMessage = "node group \(Self.initialNodegroupName) failed: \(pool?.statusMessage ?? pool?.providerStatus ?? "")"
                journal.remove(.createInitialNodegroup, cluster: name, region: region)
            default:
                result.status = .creating
                result.statusMessage = "creating node group \(Self.initialNodegroupName)" + retrying(.createInitialNodegroup, name)
                if pool == nil { startStep(.createInitialNodegroup, cluster: name) }
            }
        case .creating:
            startStep(.createInitialNodegroup, cluster: name)
        case .failed, .deleting, .deleted:
            journal.remove(.createInitialNodegroup, cluster: name, region: region)
        default:
            break
        }
    }

    private func retrying(_ kind: ClusterStepJournal.Entry.Kind, _ cluster: String) -> String {
        stepFailures[ClusterStep(kind: kind, cluster: cluster)].map { " (retrying: \($0))" } ?? ""
    }

    /// Failures no retry can mend: the step stops, and leaves the journal so no agent loops on it.
    private static func isPermanent(_ error: any Error) -> Bool {
        switch error as? CloudProviderError {
        case .invalidRequest?, .permissionDenied?, .unsupportedOperation?: return true
        default: return false
        }
    }

    /// The same idempotency token from every agent for one cluster's initial node group, so
    /// two agents taking the step at once create it once.
    static func initialNodegroupToken(clusterArn: String) -> String {
        String(Hex.encode(SHA256.hash(Array("\(clusterArn)/initial-node-group".utf8))).prefix(32))
    }

    /// Runs `attempt` until it answers true (the step is taken), retrying other failures
    /// with the poll policy's backoff. A cluster gone ends the step and its journal entries;
    /// a permanent failure ends it through `giveUp`.
    private func repeatStep(_ step: ClusterStep, giveUp: (any Error) -> Void, _ attempt: () async throws -> Bool) async {
        var attempts = 0
        defer { stepFailures[step] = nil }
        while !Task.isCancelled {
            do {
                if try await attempt() { return }
            } catch CloudProviderError.notFound {
                journal.remove(cluster: step.cluster, region: region)
                return
            } catch where Self.isPermanent(error) {
                logger.error("giving up the step to \(step): \(error)")
                giveUp(error)
                return
            } catch {
                stepFailures[step] = "\(error)"
                logger.warning("cannot yet \(step): \(error)")
            }
            attempts += 1
            try? await Task.sleep(for: pollPolicy.delay(attempt: attempts))
        }
    }

    /// Waits for the control plane, then creates the initial node group the journal promises.
    private func createInitialNodegroup(_ step: ClusterStep) async {
        let name = step.cluster
        await repeatStep(step, giveUp: { error in
            initialNodegroupFailures[name] = "\(error)"
            journal.remove(.createInitialNodegroup, cluster: name, region: region)
        }) {
            guard let promised = journal.entry(.createInitialNodegroup, cluster: name, region: region), promised.requested != true,
                  let count = promised.nodeCount, let type = promised.nodeType else { return true }
            let cluster = try await eks.describeCluster(name)
            switch EKSStatusMapping.cluster(cluster.status) {
            case .active, .updating:
                let nodeRole = try requiredSetting("nodeRoleArn", for: "to create the cluster's node group (the nodes' IAM role)")
                do {
                    _ = try await eks.createNodegroup(cluster: name, EKSCreateNodegroupBody(
                        nodegroupName: Self.initialNodegroupName, scalingConfig: .init(minSize: count, maxSize: count, desiredSize: count),
                        subnets: cluster.resourcesVpcConfig?.subnetIds ?? [], instanceTypes: [type], nodeRole: nodeRole, version: nil,
                        tags: cluster.tags.flatMap { $0.isEmpty ? nil : $0 },
                        clientRequestToken: Self.initialNodegroupToken(clusterArn: cluster.arn ?? name)))
                    logger.info("cluster \(name) is active; node group \(Self.initialNodegroupName) is being created")
                } catch CloudProviderError.conflict {
                    // It exists already: this agent or another created it.
                }
                var requested = promised
                requested.requested = true
                journal.put(requested)
                return true
            case .creating:
                return false
            default:
                journal.remove(.createInitialNodegroup, cluster: name, region: region)
                return true  // The cluster failed or is going away: nothing to add nodes to.
            }
        }
    }

    /// EKS refuses to delete a cluster with node groups: wait for them to go, then delete it.
    private func deleteAfterNodegroups(_ step: ClusterStep) async {
        let name = step.cluster
        await repeatStep(step, giveUp: { _ in journal.remove(.deleteAfterNodegroups, cluster: name, region: region) }) {
            guard journal.entry(.deleteAfterNodegroups, cluster: name, region: region) != nil else { return true }
            guard try await allNodegroupNames(cluster: name).isEmpty else { return false }
            _ = try await eks.deleteCluster(name)
            logger.info("cluster \(name): node groups deleted; deleting the control plane")
            journal.remove(cluster: name, region: region)
            return true
        }
    }
}
