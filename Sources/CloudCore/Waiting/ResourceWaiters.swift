/// One provider's waiters, one per resource type, so waits on the same resource coalesce.
public struct ResourceWaiters: Sendable {
    public let clusters: ResourceWaiter<KubernetesCluster>
    public let nodePools: ResourceWaiter<NodePool>
    public let instances: ResourceWaiter<Instance>

    public init(heartbeatInterval: Duration = .seconds(10)) {
        clusters = ResourceWaiter(heartbeatInterval: heartbeatInterval)
        nodePools = ResourceWaiter(heartbeatInterval: heartbeatInterval)
        instances = ResourceWaiter(heartbeatInterval: heartbeatInterval)
    }

    /// The counters of all three, summed.
    public func statistics() async -> WaitStatistics {
        let clusterCounts = await clusters.currentStatistics
        let poolCounts = await nodePools.currentStatistics
        let instanceCounts = await instances.currentStatistics
        return clusterCounts + poolCounts + instanceCounts
    }
}
