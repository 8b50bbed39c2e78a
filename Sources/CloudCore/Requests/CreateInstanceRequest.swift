/// What to create with `createInstance`, with its documented defaults.
public struct CreateInstanceRequest: Sendable, Equatable {
    public var name: String
    /// Image id or name (AMI, image family URL, URN); nil means the provider's default where it has one.
    public var image: String?
    /// Machine type; nil means the provider's default.
    public var instanceType: String?
    /// Zone; nil means the provider's default zone.
    public var zone: String?
    /// Subnet to attach the instance to, where the cloud needs one.
    public var subnet: String?
    /// One OpenSSH public key line, installed for the default user.
    public var sshPublicKey: String?
    /// Boot-time user data (cloud-init), at most 16 KiB.
    public var userData: String?
    public var tags: [String: String]
    /// Security groups (firewall rule sets) of the instance, where the cloud uses them.
    public var securityGroups: [String] = []
    /// An SSH key pair the cloud already holds (EC2 key pair name), instead of `sshPublicKey`.
    public var keyName: String?
    /// The caller's idempotency key: a create repeated with it answers the instance it made
    /// instead of launching another.
    public var clientToken: String?
    /// Size of the boot disk in GB; nil means the image's or the cloud's default.
    public var diskSizeGb: Int?
    /// Whether the instance gets an external IP address; nil means the provider's default.
    public var publicIP: Bool?

    public init(name: String, image: String? = nil, instanceType: String? = nil, zone: String? = nil, subnet: String? = nil,
                sshPublicKey: String? = nil, userData: String? = nil, tags: [String: String] = [:]) {
        self.name = name
        self.image = image
        self.instanceType = instanceType
        self.zone = zone
        self.subnet = subnet
        self.sshPublicKey = sshPublicKey
        self.userData = userData
        self.tags = tags
    }

    /// Checks the rules every cloud shares.
    public func validate() throws(CloudProviderError) {
        try ResourceRules.instanceName(name)
        for (field, value) in [("image", image), ("instanceType", instanceType), ("zone", zone), ("subnet", subnet), ("keyName", keyName)] {
            if let value, value.isEmpty { throw .invalidRequest(field: field, reason: "must not be empty") }
        }
        if let sshPublicKey { try ResourceRules.sshPublicKey(sshPublicKey) }
        if sshPublicKey != nil, keyName != nil {
            throw .invalidRequest(field: "keyName", reason: "give keyName or sshPublicKey, not both")
        }
        try ResourceRules.nonEmptyList(securityGroups, field: "securityGroups", maximum: 16)
        if let clientToken { try ResourceRules.clientToken(clientToken) }
        if let diskSizeGb, !(10...65_536).contains(diskSizeGb) {
            throw .invalidRequest(field: "diskSizeGb", reason: "must be 10 to 65536 (GB)")
        }
        if let userData { try ResourceRules.userData(userData) }
        try ResourceRules.tags(tags)
    }
}
