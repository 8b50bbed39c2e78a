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
    /// Security groups of the control plane's network interfaces, where the cloud uses them.
    public var securityGroups: [String] = []
    /// Who reaches the Kubernetes API server; nil means public.
    public var endpointAccess: ClusterEndpointAccess?
    /// The CIDR blocks that may reach a public API endpoint; empty means anywhere.
    public var publicAccessCidrs: [String] = []
    /// The caller's idempotency key: a create repeated with it answers the cluster it made.
    public var clientToken: String?
    /// The VPC network, where the cloud names one apart from the subnets (GKE).
    public var network: String?

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
        try ResourceRules.nonEmptyList(securityGroups, field: "securityGroups", maximum: 5)
        try ResourceRules.nonEmptyList(publicAccessCidrs, field: "publicAccessCidrs", maximum: 40)
        for (index, cidr) in publicAccessCidrs.enumerated() where !ResourceRules.isIPv4CIDR(cidr) {
            throw .invalidRequest(field: "publicAccessCidrs[\(index)]", reason: "'\(cidr)' is not an IPv4 CIDR block such as 203.0.113.0/24")
        }
        if let clientToken { try ResourceRules.clientToken(clientToken) }
        if let network, network.isEmpty { throw .invalidRequest(field: "network", reason: "must not be empty") }
        if !publicAccessCidrs.isEmpty, endpointAccess == .private {
            throw .invalidRequest(field: "publicAccessCidrs", reason: "applies to a public endpoint, and endpointAccess is 'private'")
        }
    }
}

/// Who reaches a cluster's Kubernetes API server.
public enum ClusterEndpointAccess: String, Sendable, CaseIterable {
    /// From the internet (optionally only `publicAccessCidrs`); nodes reach it over the internet too.
    case `public`
    /// From inside the cluster's network only.
    case `private`
    /// Both: from the internet, and from inside the network without leaving it.
    case publicAndPrivate = "public-and-private"
}
