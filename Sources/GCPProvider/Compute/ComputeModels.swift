// Compute Engine `compute/v1` shapes, as the REST reference gives them (only the members the
// agent reads or sends).

/// `Instance`.
struct ComputeInstance: Codable, Sendable, Equatable {
    var id: String?
    var name: String
    /// PROVISIONING, STAGING, RUNNING, STOPPING, STOPPED, SUSPENDING, SUSPENDED, REPAIRING, TERMINATED.
    var status: String?
    var statusMessage: String?
    /// A URL (answers) or `zones/Z/machineTypes/T` (requests).
    var machineType: String?
    var zone: String?
    var creationTimestamp: String?
    var networkInterfaces: [NetworkInterface]?
    var disks: [AttachedDisk]?
    var labels: [String: String]?
    var metadata: Metadata?
    var selfLink: String?

    struct NetworkInterface: Codable, Sendable, Equatable {
        var network: String?
        var subnetwork: String?
        var networkIP: String?
        var accessConfigs: [AccessConfig]?
    }
    struct AccessConfig: Codable, Sendable, Equatable {
        var type: String?
        var name: String?
        var natIP: String?
    }
    struct AttachedDisk: Codable, Sendable, Equatable {
        var boot: Bool?
        var autoDelete: Bool?
        var source: String?
        var initializeParams: InitializeParams?
    }
    struct InitializeParams: Codable, Sendable, Equatable {
        var sourceImage: String?
        var diskSizeGb: String?
    }
    struct Metadata: Codable, Sendable, Equatable {
        var fingerprint: String?
        var items: [Item]?
    }
    struct Item: Codable, Sendable, Equatable {
        var key: String
        var value: String?
    }

    init(name: String) { self.name = name }
}

/// `Operation` of Compute (zone operations): followed with zoneOperations.get until DONE.
struct ComputeOperation: Codable, Sendable, Equatable {
    var id: String?
    var name: String
    var zone: String?
    /// insert, start, stop, delete …
    var operationType: String?
    var targetLink: String?
    var targetId: String?
    /// PENDING, RUNNING, DONE.
    var status: String?
    var progress: Int?
    var error: Errors?
    var httpErrorStatusCode: Int?
    var httpErrorMessage: String?

    struct Errors: Codable, Sendable, Equatable { var errors: [ErrorItem]? }
    struct ErrorItem: Codable, Sendable, Equatable {
        var code: String?
        var message: String?
    }

    var isDone: Bool { status == "DONE" }
}

struct ComputeInstanceList: Codable, Sendable {
    var items: [ComputeInstance]?
    var nextPageToken: String?
}

struct ComputeAggregatedInstanceList: Codable, Sendable {
    struct Scoped: Codable, Sendable { var instances: [ComputeInstance]? }
    var items: [String: Scoped]?
    var nextPageToken: String?
}
