import Diagnostics

/// The node pool upgrades a provider runs in the background after a control plane upgrade
/// (GKE's node pools, EKS's node groups), by cluster: what each is doing, for the cluster's
/// status, and why one stopped, told to the next reader once.
public struct NodePoolUpgrades: Sendable {
    public struct Upgrade: Sendable {
        /// The version asked for.
        public var version: String
        /// What is being done, for the cluster's status message.
        public var phase: String
        public var task: Task<Void, Never>?
    }

    /// What the cloud calls its pools, for messages ("node pools", "node groups").
    public let noun: String
    public private(set) var running: [String: Upgrade] = [:]
    private var failures: [String: String] = [:]

    public init(noun: String) { self.noun = noun }

    /// Records the upgrade `task` runs for `cluster`.
    public mutating func start(cluster: String, version: String, task: Task<Void, Never>) {
        running[cluster] = Upgrade(version: version, phase: "upgrading \(noun) to \(version)", task: task)
    }

    public mutating func setPhase(_ phase: String, of cluster: String) { running[cluster]?.phase = phase }

    /// The upgrade of `cluster` ended (its task calls this last).
    public mutating func finish(_ cluster: String) { running[cluster] = nil }

    /// The upgrade of `cluster` stopped for `reason`: the next `apply` throws it.
    public mutating func fail(_ cluster: String, _ reason: String) { failures[cluster] = reason }

    /// The cluster is going away: its upgrade stops and its failure is forgotten.
    public mutating func cancel(_ cluster: String) {
        running[cluster]?.task?.cancel()
        failures[cluster] = nil
    }

    /// Reports a cluster whose pools are being upgraded as `updating`, saying which pool
    /// (unless the control plane's own operation is the news); throws, once, why an upgrade
    /// stopped.
    public mutating func apply(to result: inout KubernetesCluster, controlPlaneBusy: Bool) throws(CloudProviderError) {
        if let failure = failures.removeValue(forKey: result.name) {
            throw .providerError(ProviderFailure(code: "OperationFailed", message: "\(failure) (cluster '\(result.name)')"))
        }
        overlay(on: &result, controlPlaneBusy: controlPlaneBusy)
    }

    /// `apply` without the failure: for lists, which must not eat it.
    public func overlay(on result: inout KubernetesCluster, controlPlaneBusy: Bool) {
        guard let upgrade = running[result.name], result.status == .active || result.status == .updating else { return }
        result.status = .updating
        if !controlPlaneBusy { result.statusMessage = upgrade.phase }
    }

    /// The upgrades under way, for people.
    public var descriptions: [String] {
        running.map { "upgrade the \(noun) of cluster \($0.key) to \($0.value.version)" }.sorted()
    }

    /// A task still running, to await.
    public var anyTask: Task<Void, Never>? { running.values.lazy.compactMap(\.task).first }
}

extension KubernetesCluster {
    /// Only an active cluster can be upgraded: -32003 otherwise.
    public func requireActiveForUpgrade() throws(CloudProviderError) {
        guard status == .active else {
            throw .conflict(resourceType: "cluster", name: name, reason: "is \(status.rawValue); only an active cluster can be upgraded")
        }
    }
}

/// Runs `call`, retrying while the cloud refuses it because another operation runs on the
/// cluster (a conflict: GKE's FAILED_PRECONDITION, EKS's ResourceInUseException); up to
/// `attempts` times, `policy` apart.
public func retryingWhileBusy<T: Sendable>(attempts: Int = 20, policy: PollPolicy, logger: Logger, service: String,
                                           isolation: isolated (any Actor)? = #isolation,
                                           _ call: () async throws -> T) async throws -> T {
    var attempt = 0
    while true {
        do {
            return try await call()
        } catch CloudProviderError.conflict(_, _, let reason) where attempt < attempts {
            attempt += 1
            logger.info("\(service) is busy with another operation (\(reason)); trying again")
            try await Task.sleep(for: policy.delay(attempt: attempt))
        }
    }
}
