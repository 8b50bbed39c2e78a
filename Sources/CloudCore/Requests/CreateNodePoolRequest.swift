/// What to create with `createNodePool`, with its documented defaults.
public struct CreateNodePoolRequest: Sendable, Equatable {
    public var cluster: String
    public var name: String
    /// Nodes in the pool; default 3.
    public var nodeCount: Int
    /// Machine type; nil means the provider's default.
    public var nodeType: String?
    /// Kubernetes version of the nodes; nil means the cluster's version.
    public var version: String?

    public init(cluster: String, name: String, nodeCount: Int = CreateClusterRequest.defaultNodeCount,
                nodeType: String? = nil, version: String? = nil) {
        self.cluster = cluster
        self.name = name
        self.nodeCount = nodeCount
        self.nodeType = nodeType
        self.version = version
    }

    /// Checks the rules every cloud shares.
    public func validate() throws(CloudProviderError) {
        try ResourceRules.clusterName(cluster, field: "cluster")
        try ResourceRules.nodePoolName(name)
        try ResourceRules.nodeCount(nodeCount)
        if let nodeType, nodeType.isEmpty { throw .invalidRequest(field: "nodeType", reason: "must not be empty") }
        if let version { try ResourceRules.version(version) }
    }
}
