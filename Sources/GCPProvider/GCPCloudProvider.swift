import CloudCore
import CryptoPrimitives
import Diagnostics
import Foundation

/// One configured Google Cloud project: GKE clusters and node pools in a location, Compute
/// Engine instances in zones.
///
/// Every GKE and Compute mutation answers a long-running operation; this actor remembers the
/// latest one per resource and reads it while reporting the resource: its progress becomes
/// the status message, and an operation that ends with an error makes the resource `failed`
/// (creates) or reaches the caller as the error (upgrades, scaling).
public actor GCPCloudProvider: CloudProvider {
    public nonisolated let name: String
    public nonisolated let kind = ProviderKind.gcp
    public nonisolated let waiters = ResourceWaiters()
    public nonisolated let pollPolicy: PollPolicy
    let settings: ProviderConfiguration
    let gke: GKEClient
    let compute: ComputeClient
    let invocation: AgentInvocation
    let tokens: any GCPAccessTokenSource
    let logger: Logger

    /// A GKE operation being followed, and what it was for.
    struct TrackedOperation: Sendable {
        var name: String
        var location: String
        var type: String
        var detail: String
    }

    /// A Compute operation being followed.
    struct TrackedZoneOperation: Sendable {
        var name: String
        var zone: String
        var type: String
    }

    var clusterOperations: [String: TrackedOperation] = [:]
    var poolOperations: [String: TrackedOperation] = [:]
    /// The node pool upgrades that follow a control plane upgrade, one pool at a time.
    var poolUpgrades = NodePoolUpgrades(noun: "node pools")
    var instanceOperations: [String: TrackedZoneOperation] = [:]
    /// Where each cluster seen lives, when not in the configured location.
    private var clusterLocations: [String: String] = [:]
    /// Node pool sizes set by `scaleNodePool` (GKE keeps reporting `initialNodeCount`).
    private var poolSizes: [String: Int] = [:]

    static let initialPoolName = "default"
    static let defaultMachineType = "e2-standard-4"
    static let defaultInstanceType = "e2-medium"
    static let defaultImage = "projects/debian-cloud/global/images/family/debian-12"
    /// The user `sshPublicKey` is installed for (Compute's `ssh-keys` metadata).
    static let sshUser = "cloud-agent"

    init(configuration: ProviderConfiguration, tokens: any GCPAccessTokenSource, logger: Logger, invocation: AgentInvocation,
         transport: any HTTPTransport) {
        name = configuration.name
        settings = configuration
        let endpoints = GCPEndpoints(override: configuration.string("endpointURL").flatMap(URL.init(string:)))
        let quick = configuration.string("endpointURL").flatMap(URL.init(string:)).map { EndpointPolicy.isLoopback($0.host ?? "") } ?? false
        pollPolicy = quick ? PollPolicy(initial: .milliseconds(100), maximum: .seconds(1)) : .cloud
        let providerLogger = logger.child("provider \(configuration.name)")
        let client = GCPClient(transport: transport, tokens: tokens, endpoints: endpoints,
                               retry: quick ? RetryPolicy(maxAttempts: 3, base: .milliseconds(50)) : RetryPolicy(), logger: providerLogger)
        gke = GKEClient(client: client)
        compute = ComputeClient(client: client)
        self.invocation = invocation
        self.tokens = tokens
        self.logger = providerLogger
    }

    /// - Parameters:
    ///   - environment: the process environment (credentials).
    ///   - invocation: how the kubeconfigs' credential plugin runs this agent.
    ///   - transport: how requests go out (tests inject their own).
    public init(configuration: ProviderConfiguration, environment: [String: String], logger: Logger,
                invocation: AgentInvocation = AgentInvocation(), transport: any HTTPTransport = CurlTransport()) {
        self.init(configuration: configuration, tokens: Self.tokenSource(configuration, environment: environment, logger: logger),
                  logger: logger, invocation: invocation, transport: transport)
    }

    /// Where the provider's tokens come from: Google's Application Default Credentials, with
    /// the provider's `accessToken` and `credentialsFile` first.
    static func tokenSource(_ configuration: ProviderConfiguration, environment: [String: String], logger: Logger) -> GCPCredentialChain {
        GCPCredentialChain(accessToken: configuration.string("accessToken"), credentialsFile: configuration.string("credentialsFile"),
                           environment: environment, transport: CurlTransport(requestTimeout: 30),
                           metadataTransport: CurlTransport(requestTimeout: 2), signer: rs256,
                           logger: logger.child("provider \(configuration.name)"), quotaProject: configuration.string("quotaProject"))
    }

    /// RS256 (RSASSA-PKCS1-v1_5 with SHA-256) with a service account's private key.
    static let rs256: RS256Signer = { pem, input in
        do {
            return try RSAPrivateKey(pem: pem).signPKCS1v15SHA256(input)
        } catch {
            throw CloudProviderError.unauthenticated(reason: "the service account's private_key cannot be used: \(error)")
        }
    }

    // MARK: - Settings

    func requiredSetting(_ key: String, for purpose: String) throws(CloudProviderError) -> String {
        guard let value = settings.string(key) else {
            throw .invalidRequest(field: key, reason: "is a setting the gcp provider '\(name)' needs \(purpose); add it with configureProvider or the config file")
        }
        return value
    }

    /// The `project` setting, else the project the credentials belong to.
    func projectID() async throws -> String {
        if let project = settings.string("project") { return project }
        if let discovered = await tokens.defaultProject() { return discovered }
        return try requiredSetting("project", for: "for every call (the project id; the credentials name none)")
    }

    /// The location of clusters: the `location` setting, else the provider's `region`.
    var defaultLocation: String {
        get throws(CloudProviderError) {
            if let location = settings.string("location") ?? settings.region { return location }
            throw .invalidRequest(field: "location", reason: "is a setting the gcp provider '\(name)' needs for clusters (a zone such as us-central1-a or a region such as us-central1)")
        }
    }

    /// The zone of instances: the `zone` setting, else `location` when it is a zone.
    var defaultZone: String {
        get throws(CloudProviderError) {
            if let zone = settings.string("zone") { return zone }
            if let location = settings.string("location") ?? settings.region, Self.isZone(location) { return location }
            throw .invalidRequest(field: "zone", reason: "is needed for instances: pass zone, or set the gcp provider '\(name)''s zone setting")
        }
    }

    /// Zones end in `-a`, `-b` …; regions in a digit.
    static func isZone(_ location: String) -> Bool {
        location.split(separator: "-").count == 3 && location.last?.isLetter == true
    }

    // MARK: - Clusters

    public func createCluster(_ request: CreateClusterRequest) async throws -> KubernetesCluster {
        try request.validate()
        try PortableRules.clusterName(request.name)
        guard request.nodeCount > 0 else {
            throw CloudProviderError.invalidRequest(field: "nodeCount", reason: "GKE Standard clusters need at least one node")
        }
        let project = try await projectID()
        let location = try request.region ?? defaultLocation
        var cluster = GKECluster(name: request.name)
        cluster.initialClusterVersion = request.version
        cluster.nodePools = [GKENodePool(name: Self.initialPoolName, initialNodeCount: request.nodeCount,
                                         machineType: request.nodeType ?? Self.defaultMachineType)]
        cluster.subnetwork = request.subnets.first
        cluster.network = request.network
        cluster.resourceLabels = request.tags.isEmpty ? nil : request.tags
        let operation = try await gke.createCluster(project: project, location: location, cluster)
        clusterLocations[request.name] = location
        clusterOperations[request.name] = TrackedOperation(name: operation.name, location: location, type: "CREATE_CLUSTER",
                                                           detail: "creating cluster")
        do {
            return try await getCluster(name: request.name)
        } catch CloudProviderError.notFound {
            // Not listed yet: report what was asked for.
            var view = GCPStatusMapping.kubernetesCluster(cluster, provider: name, project: project)
            view.region = location
            view.status = .creating
            view.providerStatus = "PROVISIONING"
            return view
        }
    }

    public func getCluster(name clusterName: String) async throws -> KubernetesCluster {
        let project = try await projectID()
        let cluster = try await describe(clusterName, project: project)
        var result = GCPStatusMapping.kubernetesCluster(cluster, provider: name, project: project)
        result.nodePools = result.nodePools.map { pool in
            var pool = pool
            if let size = poolSizes["\(clusterName)/\(pool.name)"] { pool.nodeCount = size }
            return pool
        }
        try await applyOperation(to: &result)
        try poolUpgrades.apply(to: &result, controlPlaneBusy: clusterOperations[clusterName] != nil)
        return result
    }

    /// The cluster from the location it was last seen in; else from the configured location;
    /// else from wherever the project has it.
    private func describe(_ clusterName: String, project: String) async throws -> GKECluster {
        let location = try clusterLocations[clusterName] ?? defaultLocation
        do {
            return try await gke.getCluster(project: project, location: location, clusterName)
        } catch CloudProviderError.notFound {
            let listed = try await gke.listClusters(project: project, location: "-").clusters ?? []
            guard let found = listed.first(where: { $0.name == clusterName }), let elsewhere = found.location ?? found.zone,
                  elsewhere != location else {
                throw CloudProviderError.notFound(resourceType: "cluster", name: clusterName)
            }
            clusterLocations[clusterName] = elsewhere
            return found
        }
    }

    /// Folds the cluster's tracked operation into what is reported.
    func applyOperation(to result: inout KubernetesCluster) async throws {
        guard let tracked = clusterOperations[result.name] else { return }
        let operation = try await gke.getOperation(project: try await projectID(), location: tracked.location, tracked.name)
        if !operation.isDone {
            let percent = operation.fractionDone.map { " (\(Int($0 * 100))%)" } ?? ""
            result.statusMessage = "\(tracked.detail)\(percent)"
            if tracked.type == "UPGRADE_MASTER", result.status == .active { result.status = .updating }
            return
        }
        clusterOperations[result.name] = nil
        guard let error = operation.error, error.code != nil && error.code != 0 || error.message != nil else { return }
        let message = error.message ?? "code \(error.code ?? 0)"
        switch tracked.type {
        case "CREATE_CLUSTER":
            result.status = .failed
            result.statusMessage = "\(tracked.detail) failed: \(message)"
        default:
            throw CloudProviderError.providerError(ProviderFailure(code: "OperationFailed",
                                                                   message: "\(tracked.detail) of cluster '\(result.name)' failed: \(message)"))
        }
    }

    /// `locations/-` lists every location; zones GKE could not reach are logged.
    public func listClusters(_ page: PageRequest, region: String?) async throws -> Page<KubernetesCluster> {
        let project = try await projectID()
        let response = try await gke.listClusters(project: project, location: region ?? "-")
        if let missing = response.missingZones, !missing.isEmpty {
            logger.warning("GKE could not list the clusters of \(missing.joined(separator: ", ")); the list may be incomplete")
        }
        let listed = response.clusters ?? []
        var views: [KubernetesCluster] = []
        for cluster in listed {
            if let location = cluster.location ?? cluster.zone { clusterLocations[cluster.name] = location }
            var view = GCPStatusMapping.kubernetesCluster(cluster, provider: name, project: project)
            try? await applyOperation(to: &view)
            poolUpgrades.overlay(on: &view, controlPlaneBusy: clusterOperations[view.name] != nil)
            views.append(view)
        }
        return try Pagination.page(of: views.sorted { ($0.name, $0.region) < ($1.name, $1.region) }, key: { "\($0.name)\u{1F}\($0.region)" },
                                   request: page)
    }

    public func deleteCluster(name clusterName: String) async throws -> KubernetesCluster {
        var current = try await getCluster(name: clusterName)
        if current.status == .deleting { return current }
        let operation = try await gke.deleteCluster(project: try await projectID(), location: current.region, clusterName)
        clusterOperations[clusterName] = TrackedOperation(name: operation.name, location: current.region, type: "DELETE_CLUSTER",
                                                          detail: "deleting cluster")
        current.status = .deleting
        current.statusMessage = "deleting cluster"
        return current
    }

    public func getKubeconfig(cluster clusterName: String, options: KubeconfigOptions) async throws -> String {
        let mode = try options.authMode(among: GKEKubeconfig.AuthMode.allCases.map(\.rawValue), provider: "gcp")
            .flatMap(GKEKubeconfig.AuthMode.init(rawValue:)) ?? .agent
        let cluster = try await getCluster(name: clusterName)
        guard let endpoint = cluster.endpoint, let ca = cluster.caData, cluster.status == .active || cluster.status == .updating else {
            throw CloudProviderError.conflict(resourceType: "cluster", name: clusterName,
                                              reason: "is \(cluster.providerStatus) and has no API endpoint yet; wait for it with waitClusterReady")
        }
        var arguments = ["token", "gcp"]
        if let configFile = invocation.configFile {
            arguments += ["--provider", name, "--config", configFile]
        }
        return GKEKubeconfig.render(contextName: "gke_\(try await projectID())_\(cluster.region)_\(clusterName)", endpoint: endpoint, caData: ca,
                                    mode: mode, agentPath: invocation.executable, agentArguments: arguments)
    }

    // MARK: - Node pools

    public func createNodePool(_ request: CreateNodePoolRequest) async throws -> NodePool {
        try request.validate()
        try PortableRules.nodePoolName(request.name)
        let cluster = try await getCluster(name: request.cluster)
        let pool = GKENodePool(name: request.name, initialNodeCount: request.nodeCount,
                               machineType: request.nodeType ?? Self.defaultMachineType, version: request.version)
        let operation = try await gke.createNodePool(project: try await projectID(), location: cluster.region, cluster: request.cluster, pool)
        poolOperations["\(request.cluster)/\(request.name)"] = TrackedOperation(name: operation.name, location: cluster.region,
                                                                                type: "CREATE_NODE_POOL", detail: "creating node pool")
        do {
            return try await getNodePool(cluster: request.cluster, name: request.name)
        } catch CloudProviderError.notFound {
            var view = GCPStatusMapping.nodePool(pool, cluster: request.cluster, clusterID: cluster.id)
            view.status = .creating
            view.providerStatus = "PROVISIONING"
            return view
        }
    }

    public func getNodePool(cluster clusterName: String, name poolName: String) async throws -> NodePool {
        let project = try await projectID()
        let location = try clusterLocations[clusterName] ?? defaultLocation
        let pool = try await gke.getNodePool(project: project, location: location, cluster: clusterName, poolName)
        var view = GCPStatusMapping.nodePool(pool, cluster: clusterName, clusterID: "projects/\(project)/locations/\(location)/clusters/\(clusterName)")
        let key = "\(clusterName)/\(poolName)"
        if let size = poolSizes[key] { view.nodeCount = size }
        guard let tracked = poolOperations[key] else { return view }
        let operation = try await gke.getOperation(project: project, location: tracked.location, tracked.name)
        if !operation.isDone {
            view.statusMessage = tracked.detail + (operation.fractionDone.map { " (\(Int($0 * 100))%)" } ?? "")
            if tracked.type == "SET_NODE_POOL_SIZE" || tracked.type == "UPGRADE_NODES", view.status == .active { view.status = .updating }
            return view
        }
        poolOperations[key] = nil
        if let error = operation.error, let message = error.message {
            if tracked.type == "CREATE_NODE_POOL" {
                view.status = .failed
                view.statusMessage = "\(tracked.detail) failed: \(message)"
            } else {
                if tracked.type == "SET_NODE_POOL_SIZE" { poolSizes[key] = nil }
                throw CloudProviderError.providerError(ProviderFailure(code: "OperationFailed",
                                                                       message: "\(tracked.detail) of node pool '\(key)' failed: \(message)"))
            }
        }
        return view
    }

    public func listNodePools(cluster clusterName: String, page: PageRequest) async throws -> Page<NodePool> {
        let project = try await projectID()
        let location = try clusterLocations[clusterName] ?? defaultLocation
        let pools = try await gke.listNodePools(project: project, location: location, cluster: clusterName)
        let clusterID = "projects/\(project)/locations/\(location)/clusters/\(clusterName)"
        let views = pools.map { pool in
            var view = GCPStatusMapping.nodePool(pool, cluster: clusterName, clusterID: clusterID)
            if let size = poolSizes["\(clusterName)/\(pool.name)"] { view.nodeCount = size }
            return view
        }
        return try Pagination.page(of: views.sorted { $0.name < $1.name }, key: \.name, request: page)
    }

    public func scaleNodePool(cluster clusterName: String, name poolName: String, nodeCount: Int) async throws -> NodePool {
        try ResourceRules.nodeCount(nodeCount)
        var current = try await getNodePool(cluster: clusterName, name: poolName)
        if current.nodeCount == nodeCount { return current }
        let location = try clusterLocations[clusterName] ?? defaultLocation
        let operation = try await gke.setNodePoolSize(project: try await projectID(), location: location, cluster: clusterName, poolName, nodeCount: nodeCount)
        let key = "\(clusterName)/\(poolName)"
        poolOperations[key] = TrackedOperation(name: operation.name, location: location, type: "SET_NODE_POOL_SIZE",
                                               detail: "scaling from \(current.nodeCount) to \(nodeCount) nodes")
        poolSizes[key] = nodeCount
        current.status = .updating
        current.statusMessage = "scaling from \(current.nodeCount) to \(nodeCount) nodes"
        current.nodeCount = nodeCount
        return current
    }

    public func deleteNodePool(cluster clusterName: String, name poolName: String) async throws -> NodePool {
        var current = try await getNodePool(cluster: clusterName, name: poolName)
        if current.status == .deleting { return current }
        let location = try clusterLocations[clusterName] ?? defaultLocation
        let operation = try await gke.deleteNodePool(project: try await projectID(), location: location, cluster: clusterName, poolName)
        poolOperations["\(clusterName)/\(poolName)"] = TrackedOperation(name: operation.name, location: location, type: "DELETE_NODE_POOL",
                                                                        detail: "deleting node pool")
        poolSizes["\(clusterName)/\(poolName)"] = nil
        current.status = .deleting
        current.statusMessage = "deleting node pool"
        return current
    }
}
