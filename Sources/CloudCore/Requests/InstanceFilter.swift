/// Which instances `listInstances` answers: every one, or those matching all given criteria
/// (as `aws ec2 describe-instances --filters`, `gcloud compute instances list --filter`).
public struct InstanceFilter: Sendable, Equatable {
    /// Tags the instance must carry, each with exactly this value.
    public var tags: [String: String]
    /// Shared states to keep (`running`, `stopped` …); empty keeps every state.
    public var states: Set<ResourceStatus>
    /// Only this zone's instances; nil lists every zone.
    public var zone: String?

    /// The states an instance can be in, in lifecycle order.
    public static let instanceStates: [ResourceStatus] = [.creating, .running, .stopping, .stopped, .deleting, .deleted, .failed]

    public init(tags: [String: String] = [:], states: Set<ResourceStatus> = []) {
        self.tags = tags
        self.states = states
    }

    /// Whether the filter keeps everything.
    public var isEmpty: Bool { tags.isEmpty && states.isEmpty && zone == nil }

    /// Whether `instance` passes the filter.
    public func matches(_ instance: Instance) -> Bool {
        (states.isEmpty || states.contains(instance.state)) && (zone == nil || instance.zone == zone)
            && tags.allSatisfy { instance.tags[$0.key] == $0.value }
    }

    /// Checks the rules every cloud shares.
    public func validate() throws(CloudProviderError) {
        try ResourceRules.tags(tags)
        if let zone { try ResourceRules.region(zone, field: "zone") }
        for state in states where !Self.instanceStates.contains(state) {
            throw .invalidRequest(field: "states", reason: "'\(state.rawValue)' is not an instance state (use \(Self.instanceStates.map(\.rawValue).joined(separator: ", ")))")
        }
    }
}
