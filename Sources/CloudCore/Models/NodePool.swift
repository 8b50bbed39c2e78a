/// A group of identical worker nodes in a managed cluster (EKS node group, GKE node pool,
/// AKS agent pool), in the same JSON shape for every cloud.
public struct NodePool: Codable, Sendable, Equatable {
    /// The cloud's identifier (ARN, self link, resource id, or the local simulator's id).
    public var id: String
    public var name: String
    /// The name of the cluster the pool belongs to.
    public var cluster: String
    public var status: ResourceStatus
    /// The cloud's raw status (`ACTIVE`, `RUNNING`, `Succeeded` …).
    public var providerStatus: String
    /// What the cloud says it is doing, when it says (e.g. "scaling to 5 nodes").
    public var statusMessage: String?
    public var nodeCount: Int
    public var nodeType: String
    public var version: String
    /// ISO 8601 creation time.
    public var createdAt: String

    public init(id: String, name: String, cluster: String, status: ResourceStatus, providerStatus: String,
                statusMessage: String? = nil, nodeCount: Int, nodeType: String, version: String, createdAt: String) {
        self.id = id
        self.name = name
        self.cluster = cluster
        self.status = status
        self.providerStatus = providerStatus
        self.statusMessage = statusMessage
        self.nodeCount = nodeCount
        self.nodeType = nodeType
        self.version = version
        self.createdAt = createdAt
    }
}
