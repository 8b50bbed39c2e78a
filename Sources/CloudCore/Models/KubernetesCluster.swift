/// A managed Kubernetes cluster (EKS, GKE, AKS or simulated), in the same JSON shape for
/// every cloud.
public struct KubernetesCluster: Codable, Sendable, Equatable {
    /// The cloud's identifier (ARN, GKE id, ARM resource id, or the local simulator's id).
    public var id: String
    public var name: String
    /// The configured provider name the cluster was reached through (e.g. `local`, `prod`).
    public var provider: String
    /// The kind of that provider: `local`, `aws`, `gcp` or `azure`.
    public var cloud: ProviderKind
    public var region: String
    /// The control plane's Kubernetes version (`major.minor`, or longer as the cloud reports it).
    public var version: String
    public var status: ResourceStatus
    /// The cloud's raw status (`CREATING`, `PROVISIONING`, `Succeeded` …).
    public var providerStatus: String
    /// What the cloud says it is doing, when it says (e.g. "creating control plane").
    public var statusMessage: String?
    /// The API server URL, once the cloud has one.
    public var endpoint: String?
    /// The cluster CA certificate, base64 PEM as in a kubeconfig, once known.
    public var caData: String?
    public var nodePools: [NodePool]
    /// ISO 8601 creation time.
    public var createdAt: String
    public var tags: [String: String]

    public init(id: String, name: String, provider: String, cloud: ProviderKind, region: String, version: String,
                status: ResourceStatus, providerStatus: String, statusMessage: String? = nil, endpoint: String? = nil,
                caData: String? = nil, nodePools: [NodePool] = [], createdAt: String, tags: [String: String] = [:]) {
        self.id = id
        self.name = name
        self.provider = provider
        self.cloud = cloud
        self.region = region
        self.version = version
        self.status = status
        self.providerStatus = providerStatus
        self.statusMessage = statusMessage
        self.endpoint = endpoint
        self.caData = caData
        self.nodePools = nodePools
        self.createdAt = createdAt
        self.tags = tags
    }
}
