import CloudCore

/// AKS agent pools (`…/managedClusters/C/agentPools/P`): created, scaled and deleted with
/// their own long-running operations.
extension AzureCloudProvider {
    private static func subject(_ cluster: String, _ pool: String) -> ARMClient.Subject {
        .init(resourceType: "node pool", name: "\(cluster)/\(pool)")
    }

    private func clusterID(_ clusterName: String) throws(CloudProviderError) -> String {
        "/subscriptions/\(try subscription)/resourceGroups/\(try group(ofCluster: clusterName))/providers/Microsoft.ContainerService/managedClusters/\(clusterName)"
    }

    public func createNodePool(_ request: CreateNodePoolRequest) async throws -> NodePool {
        try request.validate()
        try PortableRules.nodePoolName(request.name)
        let cluster = try await getCluster(name: request.cluster)
        if cluster.nodePools.contains(where: { $0.name == request.name }) {
            throw CloudProviderError.conflict(resourceType: "node pool", name: "\(request.cluster)/\(request.name)", reason: "already exists")
        }
        var properties = AKSAgentPoolProfile(count: request.nodeCount, vmSize: request.nodeType ?? Self.defaultNodeSize, mode: "User")
        properties.osType = "Linux"
        properties.type = "VirtualMachineScaleSets"
        properties.orchestratorVersion = request.version
        let answer = try await aks.putPool(resourceGroup: try group(ofCluster: request.cluster), cluster: request.cluster, request.name, properties)
        let key = "\(request.cluster)/\(request.name)"
        if let operation = answer.operation {
            poolOperations[key] = TrackedOperation(reference: operation, kind: "createNodePool", detail: "creating node pool")
        }
        var view = AzureStatusMapping.nodePool(answer.value.properties, name: request.name, cluster: request.cluster,
                                               clusterID: try clusterID(request.cluster))
        if answer.operation != nil, view.status == .active || view.status == .unknown { view.status = .creating }
        view.statusMessage = "creating node pool"
        return view
    }

    public func getNodePool(cluster clusterName: String, name poolName: String) async throws -> NodePool {
        let pool = try await aks.getPool(resourceGroup: try group(ofCluster: clusterName), cluster: clusterName, poolName)
        var view = AzureStatusMapping.nodePool(pool.properties, name: poolName, cluster: clusterName, clusterID: try clusterID(clusterName))
        let key = "\(clusterName)/\(poolName)"
        guard var tracked = poolOperations[key] else { return view }
        let status = try await observe(&tracked, subject: Self.subject(clusterName, poolName))
        guard status.isDone else {
            poolOperations[key] = tracked
            view.statusMessage = tracked.detail
            if tracked.kind == "scaleNodePool", view.status == .active { view.status = .updating }
            return view
        }
        poolOperations[key] = nil
        guard let message = status.failureMessage else { return view }
        if Self.superseded(status, deleting: view.status == .deleting) {
            if tracked.kind != "deleteNodePool" { view.statusMessage = view.statusMessage ?? "\(tracked.detail) was preempted: \(message)" }
            return view
        }
        if tracked.kind == "createNodePool" {
            view.status = .failed
            view.statusMessage = "\(tracked.detail) failed: \(message)"
            return view
        }
        throw Self.operationFailed(tracked, message, of: "node pool '\(key)'")
    }

    public func listNodePools(cluster clusterName: String, page: PageRequest) async throws -> Page<NodePool> {
        let pools = try await aks.listPools(resourceGroup: try group(ofCluster: clusterName), cluster: clusterName)
        let id = try clusterID(clusterName)
        let views = pools.compactMap { pool in
            pool.name.map { AzureStatusMapping.nodePool(pool.properties, name: $0, cluster: clusterName, clusterID: id) }
        }
        return try Pagination.page(of: views.sorted { $0.name < $1.name }, key: \.name, request: page)
    }

    /// PUTs the pool back with the new `count` (ARM's way to scale).
    public func scaleNodePool(cluster clusterName: String, name poolName: String, nodeCount: Int) async throws -> NodePool {
        try ResourceRules.nodeCount(nodeCount)
        var current = try await getNodePool(cluster: clusterName, name: poolName)
        let group = try group(ofCluster: clusterName)
        let key = "\(clusterName)/\(poolName)"
        if current.nodeCount == nodeCount, current.status != .updating || poolOperations[key]?.kind == "scaleNodePool" { return current }
        guard current.status == .active || current.status == .updating else {
            throw CloudProviderError.conflict(resourceType: "node pool", name: key, reason: "is \(current.status.rawValue); only an active node pool can be scaled")
        }
        let pool = try await aks.getPool(resourceGroup: group, cluster: clusterName, poolName)
        var properties = pool.properties
        properties.count = nodeCount
        properties.provisioningState = nil
        properties.powerState = nil
        properties.currentOrchestratorVersion = nil
        let answer = try await aks.putPool(resourceGroup: group, cluster: clusterName, poolName, properties)
        let detail = "scaling from \(current.nodeCount) to \(nodeCount) nodes"
        if let operation = answer.operation {
            poolOperations[key] = TrackedOperation(reference: operation, kind: "scaleNodePool", detail: detail)
        }
        current.status = .updating
        current.statusMessage = detail
        current.nodeCount = nodeCount
        return current
    }

    public func deleteNodePool(cluster clusterName: String, name poolName: String) async throws -> NodePool {
        var current = try await getNodePool(cluster: clusterName, name: poolName)
        if current.status == .deleting { return current }
        let key = "\(clusterName)/\(poolName)"
        if let operation = try await aks.deletePool(resourceGroup: try group(ofCluster: clusterName), cluster: clusterName, poolName) {
            poolOperations[key] = TrackedOperation(reference: operation, kind: "deleteNodePool", detail: "deleting node pool")
        }
        current.status = .deleting
        current.statusMessage = "deleting node pool"
        return current
    }
}
