// GKE `container/v1` shapes, as the REST reference gives them (only the members the agent
// reads or sends). Unknown members are ignored; enum values are kept as strings.

/// `Cluster`.
struct GKECluster: Codable, Sendable, Equatable {
    var name: String
    var location: String?
    var zone: String?
    /// PROVISIONING, RUNNING, RECONCILING, STOPPING, ERROR, DEGRADED.
    var status: String?
    var statusMessage: String?
    var endpoint: String?
    var masterAuth: MasterAuth?
    var initialClusterVersion: String?
    var currentMasterVersion: String?
    var currentNodeVersion: String?
    var currentNodeCount: Int?
    var initialNodeCount: Int?
    var nodeConfig: GKENodePool.Config?
    var nodePools: [GKENodePool]?
    var resourceLabels: [String: String]?
    var network: String?
    var subnetwork: String?
    var selfLink: String?
    var createTime: String?
    var releaseChannel: ReleaseChannel?
    var conditions: [Condition]?

    struct MasterAuth: Codable, Sendable, Equatable { var clusterCaCertificate: String? }
    struct ReleaseChannel: Codable, Sendable, Equatable { var channel: String? }
    struct Condition: Codable, Sendable, Equatable {
        var code: String?
        var message: String?
    }

    init(name: String) { self.name = name }
}

/// `NodePool`.
struct GKENodePool: Codable, Sendable, Equatable {
    var name: String
    /// PROVISIONING, RUNNING, RUNNING_WITH_ERROR, RECONCILING, STOPPING, ERROR.
    var status: String?
    var statusMessage: String?
    var initialNodeCount: Int?
    var config: Config?
    var version: String?
    var selfLink: String?
    var autoscaling: Autoscaling?
    var conditions: [GKECluster.Condition]?

    struct Config: Codable, Sendable, Equatable {
        var machineType: String?
        var diskSizeGb: Int?
        /// COS_CONTAINERD, UBUNTU_CONTAINERD …
        var imageType: String?
        var labels: [String: String]?
    }
    struct Autoscaling: Codable, Sendable, Equatable {
        var enabled: Bool?
        var minNodeCount: Int?
        var maxNodeCount: Int?
    }

    init(name: String, initialNodeCount: Int?, machineType: String?, version: String? = nil) {
        self.name = name
        self.initialNodeCount = initialNodeCount
        self.config = machineType.map { Config(machineType: $0) }
        self.version = version
    }
}

/// `Operation` of GKE: what a mutation answers; followed with operations.get until DONE.
struct GKEOperation: Codable, Sendable, Equatable {
    var name: String
    /// CREATE_CLUSTER, DELETE_CLUSTER, UPGRADE_MASTER, UPGRADE_NODES, CREATE_NODE_POOL, SET_NODE_POOL_SIZE …
    var operationType: String?
    /// PENDING, RUNNING, DONE, ABORTING.
    var status: String?
    var statusMessage: String?
    var targetLink: String?
    var selfLink: String?
    var location: String?
    var zone: String?
    var startTime: String?
    var endTime: String?
    var error: Status?
    var progress: Progress?

    /// `google.rpc.Status`.
    struct Status: Codable, Sendable, Equatable {
        var code: Int?
        var message: String?
    }
    struct Progress: Codable, Sendable, Equatable {
        var name: String?
        var status: String?
        var metrics: [Metric]?
        var stages: [Progress]?
    }
    struct Metric: Codable, Sendable, Equatable {
        var name: String?
        var intValue: String?
        var doubleValue: Double?
    }

    var isDone: Bool { status == "DONE" }

    /// The fraction done, from the `progress` metrics GKE reports (`*_done` over `*_total`).
    var fractionDone: Double? {
        guard let metrics = progress?.metrics else { return nil }
        func value(_ suffix: String) -> Double? {
            metrics.first { $0.name?.hasSuffix(suffix) == true }.flatMap { $0.doubleValue ?? $0.intValue.flatMap(Double.init) }
        }
        guard let done = value("_done"), let total = value("_total"), total > 0 else { return nil }
        return min(1, done / total)
    }
}

/// `ServerConfig`: versions GKE offers in a location.
struct GKEServerConfig: Codable, Sendable, Equatable {
    var defaultClusterVersion: String?
    var validMasterVersions: [String]?
    var validNodeVersions: [String]?
    var channels: [Channel]?

    struct Channel: Codable, Sendable, Equatable {
        var channel: String?
        var defaultVersion: String?
        var validVersions: [String]?
    }
}

struct GKEListClustersResponse: Codable, Sendable { var clusters: [GKECluster]?; var missingZones: [String]? }
struct GKEListNodePoolsResponse: Codable, Sendable { var nodePools: [GKENodePool]? }
struct GKECreateClusterBody: Codable, Sendable { var cluster: GKECluster }
struct GKECreateNodePoolBody: Codable, Sendable { var nodePool: GKENodePool }
struct GKESetNodePoolSizeBody: Codable, Sendable { var nodeCount: Int }
struct GKEUpdateMasterBody: Codable, Sendable { var masterVersion: String }
struct GKEUpdateNodePoolBody: Codable, Sendable { var nodeVersion: String; var imageType: String? }
