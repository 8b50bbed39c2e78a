import CloudCore

/// Everything one `local` provider simulates, as saved in its state file.
///
/// Resources change state by timelines: each record keeps the steps scheduled for it with
/// absolute times, so what a resource looks like is a pure function of the clock. That makes
/// the simulation survive restarts and lets several agent processes share one file.
struct LocalState: Codable, Sendable, Equatable {
    /// The file format's version; a file with another is moved aside, not misread.
    static let formatVersion = 1

    var formatVersion = LocalState.formatVersion
    var clusters: [String: ClusterRecord] = [:]
    var instances: [String: InstanceRecord] = [:]
}

/// One scheduled state of a resource, from `at` (seconds since 1970) until the next step.
struct Step: Codable, Sendable, Equatable {
    var at: Double
    var status: ResourceStatus
    var providerStatus: String
    var message: String?
    /// Field changes that take effect at this step.
    var version: String?
    var nodeCount: Int?
    var publicIP: String?
    var releasesPublicIP: Bool?

    init(at: Double, _ status: ResourceStatus, _ providerStatus: String, _ message: String? = nil,
         version: String? = nil, nodeCount: Int? = nil, publicIP: String? = nil, releasesPublicIP: Bool? = nil) {
        self.at = at
        self.status = status
        self.providerStatus = providerStatus
        self.message = message
        self.version = version
        self.nodeCount = nodeCount
        self.publicIP = publicIP
        self.releasesPublicIP = releasesPublicIP
    }
}

/// A resource's steps, oldest first; the first is always in the past.
struct Timeline: Codable, Sendable, Equatable {
    private(set) var steps: [Step]

    init(_ first: Step) { steps = [first] }

    /// The state at `now`: the latest step begun, with the field changes of all steps begun.
    func state(at now: Double) -> Snapshot {
        var snapshot = Snapshot(step: steps[0])
        for step in steps.dropFirst() where step.at <= now {
            snapshot.apply(step)
        }
        return snapshot
    }

    /// Whether a step is still to come (an operation is in progress).
    func isSettled(at now: Double) -> Bool { steps.last!.at <= now }

    /// Replaces what is still to come with `phases`, the first beginning now and each later one
    /// `after` seconds after the one before. Steps already begun fold into one.
    mutating func schedule(now: Double, _ phases: [(after: Double, step: Step)]) {
        let current = state(at: now)
        var folded = current.step
        folded.at = min(folded.at, now)
        folded.version = current.version
        folded.nodeCount = current.nodeCount
        folded.publicIP = current.publicIP
        folded.releasesPublicIP = nil
        steps = [folded]
        var time = now
        for (after, step) in phases {
            time += after
            var timed = step
            timed.at = time
            steps.append(timed)
        }
    }

    /// The state a timeline is in at some moment.
    struct Snapshot: Equatable {
        var step: Step
        var version: String?
        var nodeCount: Int?
        var publicIP: String?

        init(step: Step) {
            self.step = step
            version = step.version
            nodeCount = step.nodeCount
            publicIP = step.publicIP
        }

        mutating func apply(_ next: Step) {
            step = next
            if let value = next.version { version = value }
            if let value = next.nodeCount { nodeCount = value }
            if let value = next.publicIP { publicIP = value }
            if next.releasesPublicIP == true { publicIP = nil }
        }
    }
}

struct ClusterRecord: Codable, Sendable, Equatable {
    var id: String
    var name: String
    var region: String
    var createdAt: Double
    var tags: [String: String]
    var subnets: [String]
    var timeline: Timeline
    var pools: [String: PoolRecord]
    /// The idempotency key the cluster was created with, if any.
    var clientToken: String?
}

struct PoolRecord: Codable, Sendable, Equatable {
    var id: String
    var name: String
    var nodeType: String
    var createdAt: Double
    var timeline: Timeline
}

struct InstanceRecord: Codable, Sendable, Equatable {
    var id: String
    var name: String
    var instanceType: String
    var image: String
    var zone: String
    var subnet: String?
    var privateIP: String
    var tags: [String: String]
    var createdAt: Double
    var timeline: Timeline
    /// The idempotency key the instance was launched with, if any.
    var clientToken: String?
}
