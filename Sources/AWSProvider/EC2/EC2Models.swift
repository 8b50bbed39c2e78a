import CloudCore

/// An EC2 instance as `DescribeInstances` and `RunInstances` describe it (the members the agent reads).
struct EC2Instance: Sendable, Equatable {
    var instanceId: String
    var imageId: String
    /// `pending`, `running`, `stopping`, `stopped`, `shutting-down` or `terminated`.
    var state: String
    var instanceType: String
    var availabilityZone: String
    var privateIP: String?
    var publicIP: String?
    var launchTime: String?
    var tags: [String: String]

    /// Reads one `<item>` of an `instancesSet`.
    init?(_ item: XMLTree) {
        guard let id = item.string("instanceId") else { return nil }
        instanceId = id
        imageId = item.string("imageId") ?? ""
        state = item.string("instanceState", "name") ?? "unknown"
        instanceType = item.string("instanceType") ?? ""
        availabilityZone = item.string("placement", "availabilityZone") ?? ""
        privateIP = item.string("privateIpAddress")
        publicIP = item.string("ipAddress")
        launchTime = item.string("launchTime")
        var tags: [String: String] = [:]
        for tag in item.items("tagSet") {
            if let key = tag.string("key") { tags[key] = tag.string("value") ?? "" }
        }
        self.tags = tags
    }

    init(instanceId: String, imageId: String, state: String, instanceType: String, availabilityZone: String,
         privateIP: String? = nil, publicIP: String? = nil, launchTime: String? = nil, tags: [String: String] = [:]) {
        self.instanceId = instanceId
        self.imageId = imageId
        self.state = state
        self.instanceType = instanceType
        self.availabilityZone = availabilityZone
        self.privateIP = privateIP
        self.publicIP = publicIP
        self.launchTime = launchTime
        self.tags = tags
    }

    /// The instances of a `DescribeInstancesResponse` (every reservation) or `RunInstancesResponse`.
    static func all(in response: XMLTree) -> [EC2Instance] {
        if response.child("reservationSet") != nil {
            return response.items("reservationSet").flatMap { $0.items("instancesSet") }.compactMap(EC2Instance.init)
        }
        return response.items("instancesSet").compactMap(EC2Instance.init)
    }

    /// The shared model; the `Name` tag is the name, as the EC2 console shows it.
    func instance(provider: String) -> Instance {
        Instance(id: instanceId, name: tags["Name"] ?? instanceId, provider: provider, cloud: .aws,
                 state: Self.status(state), providerState: state, instanceType: instanceType, image: imageId,
                 zone: availabilityZone, publicIP: publicIP, privateIP: privateIP, tags: tags,
                 createdAt: launchTime.flatMap(AWSTimestamp.parse).map { AWSTimestamp(secondsSince1970: $0).iso8601 } ?? "")
    }

    /// EC2 states on the shared vocabulary.
    static func status(_ raw: String) -> ResourceStatus {
        switch raw {
        case "pending": return .creating
        case "running": return .running
        case "stopping": return .stopping
        case "stopped": return .stopped
        case "shutting-down": return .deleting
        case "terminated": return .deleted
        default: return .unknown
        }
    }
}

/// One entry of the `instancesSet` of Start/Stop/TerminateInstances.
struct EC2StateChange: Sendable, Equatable {
    var instanceId: String
    var currentState: String
    var previousState: String

    init?(_ item: XMLTree) {
        guard let id = item.string("instanceId"), let current = item.string("currentState", "name") else { return nil }
        instanceId = id
        currentState = current
        previousState = item.string("previousState", "name") ?? ""
    }
}
