extension CloudProviderError {
    /// The status message of a resource reported `deleted` because the cloud no longer knows it
    /// (its `providerStatus` is the last one the cloud reported).
    static let goneMessage = "deleted: the cloud no longer reports it"
}

extension CloudProvider {
    public func waitCluster(name: String, until target: WaitTarget, lastKnown: KubernetesCluster?,
                            options: WaitOptions) async throws -> KubernetesCluster {
        try await waitFor(WaitSubject(resourceType: "cluster", name: name, target: target), on: waiters.clusters,
                          lastKnown: lastKnown, options: options) {
            let cluster = try await self.getCluster(name: name)
            return WaitObservation(resource: cluster, status: cluster.status, providerStatus: cluster.providerStatus,
                                   statusMessage: cluster.statusMessage)
        } gone: { cluster in
            cluster.status = .deleted
            cluster.statusMessage = CloudProviderError.goneMessage
            cluster.nodePools = []
            cluster.endpoint = nil
            return cluster.providerStatus
        }
    }

    public func waitNodePool(cluster: String, name: String, until target: WaitTarget, lastKnown: NodePool?,
                             options: WaitOptions) async throws -> NodePool {
        try await waitFor(WaitSubject(resourceType: "node pool", name: "\(cluster)/\(name)", target: target), on: waiters.nodePools,
                          lastKnown: lastKnown, options: options) {
            let pool = try await self.getNodePool(cluster: cluster, name: name)
            return WaitObservation(resource: pool, status: pool.status, providerStatus: pool.providerStatus,
                                   statusMessage: pool.statusMessage)
        } gone: { pool in
            pool.status = .deleted
            pool.statusMessage = CloudProviderError.goneMessage
            return pool.providerStatus
        }
    }

    public func waitInstance(id: String, until target: WaitTarget, lastKnown: Instance?,
                             options: WaitOptions) async throws -> Instance {
        try await waitFor(WaitSubject(resourceType: "instance", name: id, target: target), on: waiters.instances,
                          lastKnown: lastKnown, options: options) {
            let instance = try await self.getInstance(id: id)
            return WaitObservation(resource: instance, status: instance.state, providerStatus: instance.providerState,
                                   statusMessage: instance.providerState)
        } gone: { instance in
            instance.state = .deleted
            return instance.providerState
        }
    }

    /// Waits through `waiter`, polling with `observe`. When waiting for deletion, a resource
    /// the cloud no longer knows counts as deleted: the last one seen, marked so by `gone`
    /// (which returns the last raw status the cloud reported). Providers whose waits need more
    /// than the getter (an update to track, say) call it with their own `observe`.
    public func waitFor<Resource: Encodable & Sendable>(
        _ subject: WaitSubject, on waiter: ResourceWaiter<Resource>, lastKnown: Resource?, options: WaitOptions,
        observe: @escaping @Sendable () async throws -> WaitObservation<Resource>,
        gone: @escaping @Sendable (inout Resource) -> String
    ) async throws -> Resource {
        try await waiter.wait(for: subject, options: options, policy: pollPolicy) { last in
            do {
                return try await observe()
            } catch CloudProviderError.notFound where subject.target == .deleted {
                guard var resource = last ?? lastKnown else { throw CloudProviderError.notFound(resourceType: subject.resourceType, name: subject.name) }
                let lastProviderStatus = gone(&resource)
                return WaitObservation(resource: resource, status: .deleted, providerStatus: lastProviderStatus,
                                       statusMessage: CloudProviderError.goneMessage)
            }
        }
    }
}
