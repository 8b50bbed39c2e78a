import CloudCore

/// A configured provider whose cloud is not implemented in this version: its settings were
/// accepted and validated, and every operation answers "unsupported operation".
actor PendingCloudProvider: CloudProvider {
    nonisolated let name: String
    nonisolated let kind: ProviderKind
    nonisolated let waiters = ResourceWaiters()
    nonisolated let pollPolicy = PollPolicy.cloud

    init(name: String, kind: ProviderKind) {
        self.name = name
        self.kind = kind
    }

    private func unsupported(_ operation: String) -> CloudProviderError {
        .unsupportedOperation(provider: name, kind: kind, operation: operation,
                              reason: "the \(kind.rawValue) provider is not implemented in this version of cloud-agent yet; its settings were accepted")
    }

    func createCluster(_ request: CreateClusterRequest) throws -> KubernetesCluster { throw unsupported("createCluster") }
    func getCluster(name: String) throws -> KubernetesCluster { throw unsupported("getCluster") }
    func listClusters(_ page: PageRequest, region: String?) throws -> Page<KubernetesCluster> { throw unsupported("listClusters") }
    func deleteCluster(name: String) throws -> KubernetesCluster { throw unsupported("deleteCluster") }
    func getKubeconfig(cluster: String, options: KubeconfigOptions) throws -> String { throw unsupported("getKubeconfig") }
    func createNodePool(_ request: CreateNodePoolRequest) throws -> NodePool { throw unsupported("createNodePool") }
    func getNodePool(cluster: String, name: String) throws -> NodePool { throw unsupported("getNodePool") }
    func listNodePools(cluster: String, page: PageRequest) throws -> Page<NodePool> { throw unsupported("listNodePools") }
    func scaleNodePool(cluster: String, name: String, nodeCount: Int) throws -> NodePool { throw unsupported("scaleNodePool") }
    func deleteNodePool(cluster: String, name: String) throws -> NodePool { throw unsupported("deleteNodePool") }
    func upgradeCluster(name: String, version: String, nodePools: Bool?) throws -> KubernetesCluster { throw unsupported("upgradeCluster") }
    func availableVersions(cluster: String?) throws -> [KubernetesVersion] { throw unsupported("getAvailableVersions") }
    func createInstance(_ request: CreateInstanceRequest) throws -> Instance { throw unsupported("createInstance") }
    func getInstance(id: String) throws -> Instance { throw unsupported("getInstance") }
    func listInstances(_ page: PageRequest, filter: InstanceFilter) throws -> Page<Instance> { throw unsupported("listInstances") }
    func startInstance(id: String) throws -> Instance { throw unsupported("startInstance") }
    func stopInstance(id: String, deallocate: Bool?) throws -> Instance { throw unsupported("stopInstance") }
    func terminateInstance(id: String) throws -> Instance { throw unsupported("terminateInstance") }
    func waitCluster(name: String, until target: WaitTarget, lastKnown: KubernetesCluster?, options: WaitOptions) throws -> KubernetesCluster {
        throw unsupported("waitClusterReady")
    }
    func waitNodePool(cluster: String, name: String, until target: WaitTarget, lastKnown: NodePool?, options: WaitOptions) throws -> NodePool {
        throw unsupported("wait for a node pool")
    }
    func waitInstance(id: String, until target: WaitTarget, lastKnown: Instance?, options: WaitOptions) throws -> Instance {
        throw unsupported("waitInstanceReady")
    }
}
