/// One configured cloud account (or the built-in simulator): every operation the agent offers.
///
/// Each configured provider is one actor instance with a name. Operations take and return the
/// shared model types and throw `CloudProviderError`. Mutations return the resource as the
/// cloud reports it right after the call; the `wait…` operations (implemented once, in
/// `CloudProvider+Waiting.swift`, on top of the getters) follow it to a target state.
public protocol CloudProvider: Actor {
    /// The configured name (`local`, `prod` …), reported in every resource.
    nonisolated var name: String { get }
    nonisolated var kind: ProviderKind { get }
    /// This provider's waiters; concurrent waits on one resource share a poll loop.
    nonisolated var waiters: ResourceWaiters { get }
    /// How this provider's waits poll.
    nonisolated var pollPolicy: PollPolicy { get }

    // MARK: Clusters
    func createCluster(_ request: CreateClusterRequest) async throws -> KubernetesCluster
    func getCluster(name: String) async throws -> KubernetesCluster
    /// One page of the clusters, of one region (zone or region on gcp) or, with nil, of every
    /// region the provider covers.
    func listClusters(_ page: PageRequest, region: String?) async throws -> Page<KubernetesCluster>
    /// Starts deleting the cluster and its node pools; returns the cluster as last seen.
    func deleteCluster(name: String) async throws -> KubernetesCluster
    /// A kubeconfig (YAML) for the cluster.
    func getKubeconfig(cluster: String, options: KubeconfigOptions) async throws -> String

    // MARK: Node pools
    func createNodePool(_ request: CreateNodePoolRequest) async throws -> NodePool
    func getNodePool(cluster: String, name: String) async throws -> NodePool
    func listNodePools(cluster: String, page: PageRequest) async throws -> Page<NodePool>
    func scaleNodePool(cluster: String, name: String, nodeCount: Int) async throws -> NodePool
    func deleteNodePool(cluster: String, name: String) async throws -> NodePool

    // MARK: Upgrades
    /// Upgrades the control plane to `version`, then, when `nodePools` is true, the node
    /// pools to the control plane's version; nil is the provider's default.
    func upgradeCluster(name: String, version: String, nodePools: Bool?) async throws -> KubernetesCluster
    /// Versions for new clusters, or, given a cluster, the versions it can be upgraded to.
    func availableVersions(cluster: String?) async throws -> [KubernetesVersion]

    // MARK: Instances
    func createInstance(_ request: CreateInstanceRequest) async throws -> Instance
    func getInstance(id: String) async throws -> Instance
    /// One page of the instances that pass `filter`.
    func listInstances(_ page: PageRequest, filter: InstanceFilter) async throws -> Page<Instance>
    func startInstance(id: String) async throws -> Instance
    /// Stops the instance; `deallocate` also releases its compute where a stopped VM stays
    /// allocated (Azure's deallocate); nil is the provider's default.
    func stopInstance(id: String, deallocate: Bool?) async throws -> Instance
    func terminateInstance(id: String) async throws -> Instance

    // MARK: Background work
    /// Steps the provider still takes on its own after answering (a node group to add once
    /// its cluster is active …), one sentence each; empty for most providers.
    func backgroundWork() async -> [String]
    /// Returns once that work is done.
    func finishBackgroundWork() async

    // MARK: Waits (default implementations poll the getters through `waiters`)
    /// Waits for the cluster to become `active` (`.ready`) or be gone (`.deleted`).
    /// `lastKnown` stands in for the cluster if it is already gone at the first poll.
    func waitCluster(name: String, until target: WaitTarget, lastKnown: KubernetesCluster?, options: WaitOptions) async throws -> KubernetesCluster
    func waitNodePool(cluster: String, name: String, until target: WaitTarget, lastKnown: NodePool?, options: WaitOptions) async throws -> NodePool
    func waitInstance(id: String, until target: WaitTarget, lastKnown: Instance?, options: WaitOptions) async throws -> Instance
}

extension CloudProvider {
    /// A kubeconfig with the provider's default auth mode.
    public func getKubeconfig(cluster: String) async throws -> String {
        try await getKubeconfig(cluster: cluster, options: KubeconfigOptions())
    }

    /// One page of the clusters of every region the provider covers.
    public func listClusters(_ page: PageRequest) async throws -> Page<KubernetesCluster> {
        try await listClusters(page, region: nil)
    }

    /// A stop as the provider does it by default.
    public func stopInstance(id: String) async throws -> Instance {
        try await stopInstance(id: id, deallocate: nil)
    }

    /// An upgrade as the provider does it by default.
    public func upgradeCluster(name: String, version: String) async throws -> KubernetesCluster {
        try await upgradeCluster(name: name, version: version, nodePools: nil)
    }

    public func backgroundWork() async -> [String] { [] }
    public func finishBackgroundWork() async {}

    /// One page of all the instances.
    public func listInstances(_ page: PageRequest) async throws -> Page<Instance> {
        try await listInstances(page, filter: InstanceFilter())
    }
}
