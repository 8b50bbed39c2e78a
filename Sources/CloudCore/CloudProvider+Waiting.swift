extension CloudProviderError {
    /// The status message of a resource reported `deleted` because the cloud no longer knows it
    /// (its `providerStatus` is the last one the cloud reported).
    static let goneMessage = "deleted: the cloud no longer reports it"
}

extension CloudProvider {
    public func waitCluster(name: String, until target: WaitTarget, lastKnown: KubernetesCluster?,
                            options: WaitOptions) async throws -> KubernetesCluster {
        let subject = WaitSubject(resourceType: "cluster", name: name, target: target)
        return try await waiters.clusters.wait(for: subject, options: options, policy: pollPolicy) { last in
            do {
                let cluster = try await self.getCluster(name: name)
                return WaitObservation(resource: cluster, status: cluster.status, providerStatus: cluster.providerStatus,
                                       statusMessage: cluster.statusMessage)
            } catch CloudProviderError.notFound where target == .deleted {
                guard var gone = last ?? lastKnown else { throw CloudProviderError.notFound(resourceType: "cluster", name: name) }
                gone.status = .deleted
                gone.statusMessage = CloudProviderError.goneMessage
                gone.nodePools = []
                return WaitObservation(resource: gone, status: .deleted, providerStatus: gone.providerStatus)
            }
        }
    }

    public func waitNodePool(cluster: String, name: String, until target: WaitTarget, lastKnown: NodePool?,
                             options: WaitOptions) async throws -> NodePool {
        let subject = WaitSubject(resourceType: "node pool", name: "\(cluster)/\(name)", target: target)
        return try await waiters.nodePools.wait(for: subject, options: options, policy: pollPolicy) { last in
            do {
                let pool = try await self.getNodePool(cluster: cluster, name: name)
                return WaitObservation(resource: pool, status: pool.status, providerStatus: pool.providerStatus,
                                       statusMessage: pool.statusMessage)
            } catch CloudProviderError.notFound where target == .deleted {
                guard var gone = last ?? lastKnown else { throw CloudProviderError.notFound(resourceType: "node pool", name: name) }
                gone.status = .deleted
                gone.statusMessage = CloudProviderError.goneMessage
                return WaitObservation(resource: gone, status: .deleted, providerStatus: gone.providerStatus)
            }
        }
    }

    public func waitInstance(id: String, until target: WaitTarget, lastKnown: Instance?,
                             options: WaitOptions) async throws -> Instance {
        let subject = WaitSubject(resourceType: "instance", name: id, target: target)
        return try await waiters.instances.wait(for: subject, options: options, policy: pollPolicy) { last in
            do {
                let instance = try await self.getInstance(id: id)
                return WaitObservation(resource: instance, status: instance.state, providerStatus: instance.providerState,
                                       statusMessage: instance.providerState)
            } catch CloudProviderError.notFound where target == .deleted {
                guard var gone = last ?? lastKnown else { throw CloudProviderError.notFound(resourceType: "instance", name: id) }
                gone.state = .deleted
                return WaitObservation(resource: gone, status: .deleted, providerStatus: gone.providerState)
            }
        }
    }
}
