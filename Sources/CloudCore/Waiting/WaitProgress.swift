import Synchronization

/// A progress event from a wait: sent when the status or phase changes, and as a heartbeat
/// when nothing has changed for a while.
public struct WaitProgress: Sendable {
    public enum Reason: String, Sendable {
        /// The first observation, or the status or phase changed.
        case changed
        /// Nothing changed since the last event; the wait is still on.
        case heartbeat
    }

    public var reason: Reason
    public var subject: WaitSubject
    public var status: ResourceStatus
    public var providerStatus: String
    public var phase: String
    /// Seconds since this wait began.
    public var elapsedSeconds: Double
    /// The resource as last seen, shared by every wait on it (see `ResourceSnapshot`).
    public var snapshot: ResourceSnapshot

    /// The resource as last seen (`KubernetesCluster`, `NodePool` or `Instance`).
    public var resource: any Encodable & Sendable { snapshot.resource }
}

/// One poll's resource, shared by the progress events of every wait on it, so that whoever
/// converts it for the wire (to JSON, say) does it once, not once per wait.
public final class ResourceSnapshot: Sendable {
    public let resource: any Encodable & Sendable
    private let converted = Mutex<(any Sendable)?>(nil)

    public init(_ resource: any Encodable & Sendable) {
        self.resource = resource
    }

    /// `convert(resource)`, computed on first use and then remembered.
    public func converted<Value: Sendable>(_ convert: (any Encodable & Sendable) -> Value) -> Value {
        converted.withLock { cache in
            if let value = cache as? Value { return value }
            let value = convert(resource)
            cache = value
            return value
        }
    }
}

/// How one wait behaves: its limit and where its progress goes.
public struct WaitOptions: Sendable {
    /// Give up (with `CloudProviderError.timeout`) after this long.
    public var timeout: Duration
    public var onProgress: @Sendable (WaitProgress) -> Void

    public init(timeout: Duration, onProgress: @escaping @Sendable (WaitProgress) -> Void = { _ in }) {
        self.timeout = timeout
        self.onProgress = onProgress
    }
}

/// Counters of one provider's waits, for benchmarks and diagnostics.
public struct WaitStatistics: Codable, Sendable, Equatable {
    /// Waits begun since start.
    public var waits = 0
    /// Waits not yet finished.
    public var activeWaits = 0
    /// Poll loops begun; concurrent waits on one resource share one.
    public var pollLoops = 0
    /// Polls made (calls to the cloud's get).
    public var polls = 0

    public init() {}

    public static func + (lhs: WaitStatistics, rhs: WaitStatistics) -> WaitStatistics {
        var sum = WaitStatistics()
        sum.waits = lhs.waits + rhs.waits
        sum.activeWaits = lhs.activeWaits + rhs.activeWaits
        sum.pollLoops = lhs.pollLoops + rhs.pollLoops
        sum.polls = lhs.polls + rhs.polls
        return sum
    }
}
