/// A virtual machine (EC2 instance, Compute Engine instance, Azure VM or simulated), in the
/// same JSON shape for every cloud.
public struct Instance: Codable, Sendable, Equatable {
    /// The identifier every instance method takes (`i-…` on EC2 and local, the name on GCE and Azure).
    public var id: String
    public var name: String
    /// The configured provider name the instance was reached through.
    public var provider: String
    /// The kind of that provider.
    public var cloud: ProviderKind
    /// `creating` (pending), `running`, `stopping`, `stopped`, `deleting` (shutting down),
    /// `deleted` (terminated), `failed` or `unknown`.
    public var state: ResourceStatus
    /// The cloud's raw state (`pending`, `RUNNING`, `PowerState/deallocated` …).
    public var providerState: String
    /// The machine type (`m6i.large`, `e2-standard-4`, `Standard_D4s_v5` …).
    public var instanceType: String
    public var image: String
    public var zone: String
    public var publicIP: String?
    public var privateIP: String?
    public var tags: [String: String]
    /// ISO 8601 creation (launch) time.
    public var createdAt: String

    public init(id: String, name: String, provider: String, cloud: ProviderKind, state: ResourceStatus,
                providerState: String, instanceType: String, image: String, zone: String, publicIP: String? = nil,
                privateIP: String? = nil, tags: [String: String] = [:], createdAt: String) {
        self.id = id
        self.name = name
        self.provider = provider
        self.cloud = cloud
        self.state = state
        self.providerState = providerState
        self.instanceType = instanceType
        self.image = image
        self.zone = zone
        self.publicIP = publicIP
        self.privateIP = privateIP
        self.tags = tags
        self.createdAt = createdAt
    }
}
