/// What to create with `createCluster`, with its documented defaults.
public struct CreateClusterRequest: Sendable, Equatable {
    /// Default size of the initial node pool.
    public static let defaultNodeCount = 3

    public var name: String
    /// Kubernetes version; nil means the provider's default (see `getAvailableVersions`).
    public var version: String?
    /// Region; nil means the provider's configured region.
    public var region: String?
    /// Nodes in the initial node pool (0 for none); default 3.
    public var nodeCount: Int
    /// Machine type of the initial node pool; nil means the provider's default.
    public var nodeType: String?
    /// Subnet ids for the control plane and nodes, where the cloud uses them.
    public var subnets: [String]
    public var tags: [String: String]

    public init(name: String, version: String? = nil, region: String? = nil, nodeCount: Int = CreateClusterRequest.defaultNodeCount,
                nodeType: String? = nil, subnets: [String] = [], tags: [String: String] = [:]) {
        self.name = name
        self.version = version
        self.region = region
        self.nodeCount = nodeCount
        self.nodeType = nodeType
        self.subnets = subnets
        self.tags = tags
    }

    /// Checks the rules every cloud shares.
    public func validate() throws(CloudProviderError) {
        try ResourceRules.clusterName(name)
        if let version { try ResourceRules.version(version) }
        if let region { try ResourceRules.region(region) }
        try ResourceRules.nodeCount(nodeCount)
        if let nodeType, nodeType.isEmpty { throw .invalidRequest(field: "nodeType", reason: "must not be empty") }
        try ResourceRules.nonEmptyList(subnets, field: "subnets", maximum: 16)
        try ResourceRules.tags(tags)
    }
}
