/// One poll's view of a resource being waited on.
public struct WaitObservation<Resource: Sendable>: Sendable {
    public var resource: Resource
    public var status: ResourceStatus
    public var providerStatus: String
    /// What the cloud says it is doing, if anything (reported as the progress `phase`).
    public var statusMessage: String?

    public init(resource: Resource, status: ResourceStatus, providerStatus: String, statusMessage: String? = nil) {
        self.resource = resource
        self.status = status
        self.providerStatus = providerStatus
        self.statusMessage = statusMessage
    }

    /// The phase reported in progress: the cloud's message, else the status.
    public var phase: String { statusMessage ?? status.rawValue }
}
