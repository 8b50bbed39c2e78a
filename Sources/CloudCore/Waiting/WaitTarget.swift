/// The state a wait is for.
public enum WaitTarget: String, Sendable, Equatable {
    /// `active` for clusters and node pools, `running` for instances.
    case ready
    /// `stopped` (instances).
    case stopped
    /// `deleted`, or gone from the cloud's listings.
    case deleted

    /// What a status means for a wait on this target.
    public enum Verdict: Sendable, Equatable {
        case reached
        case pending
        /// The resource is in a state from which it will not reach the target by itself.
        case unreachable
    }

    public func verdict(for status: ResourceStatus) -> Verdict {
        switch self {
        case .ready:
            switch status {
            case .active, .running: return .reached
            case .creating, .updating, .unknown: return .pending
            case .stopping, .stopped, .deleting, .deleted, .failed: return .unreachable
            }
        case .stopped:
            switch status {
            case .stopped: return .reached
            case .stopping, .running, .active, .updating, .unknown: return .pending
            case .creating, .deleting, .deleted, .failed: return .unreachable
            }
        case .deleted:
            switch status {
            case .deleted: return .reached
            case .failed: return .unreachable
            default: return .pending
            }
        }
    }

    /// The target as a status word for messages (`active`, `running`, `stopped`, `deleted`).
    public func statusWord(resourceType: String) -> String {
        switch self {
        case .ready: return resourceType == "instance" ? ResourceStatus.running.rawValue : ResourceStatus.active.rawValue
        case .stopped: return ResourceStatus.stopped.rawValue
        case .deleted: return ResourceStatus.deleted.rawValue
        }
    }
}

/// The resource a wait is about: its type, its name or id, and the target.
public struct WaitSubject: Sendable, Equatable {
    public var resourceType: String
    public var name: String
    public var target: WaitTarget

    public init(resourceType: String, name: String, target: WaitTarget) {
        self.resourceType = resourceType
        self.name = name
        self.target = target
    }

    /// Waits with the same key share one poll loop.
    var key: String { "\(resourceType)\u{1F}\(name)\u{1F}\(target.rawValue)" }
}
