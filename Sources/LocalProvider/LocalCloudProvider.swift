import CloudCore
import Diagnostics
import Foundation

/// The built-in simulated cloud: clusters, node pools and instances with realistic state
/// machines, kept in a local file, needing no account.
///
/// It enforces what a cloud would (unique names, one-minor-step upgrades, no starting a
/// terminated instance, the strictest portable naming rules), so scripts and clients written
/// against it port to the real clouds unchanged. Phases last `timeScale` × a realistic demo
/// pace (a cluster takes about 3 s at 1; everything is instant at 0).
public actor LocalCloudProvider: CloudProvider {
    public nonisolated let name: String
    public nonisolated let kind = ProviderKind.local
    public nonisolated let waiters: ResourceWaiters
    /// Polls are in-process and cheap, so waits poll often: from 50 ms per unit of `timeScale`
    /// (at least 50 ms, at most 2 s) up to 250 ms per unit (at least 1 s, at most 30 s),
    /// keeping the same lag relative to the phases at any pace.
    public nonisolated let pollPolicy: PollPolicy
    /// The state file this provider reads and writes.
    public nonisolated let stateFilePath: String

    private let settings: LocalSettings
    private var file: LocalStateFile
    private var state = LocalState()
    private let clock: @Sendable () -> Double

    /// Where a local provider keeps its state when `stateFile` is not set.
    public static func defaultStateFile(name: String, stateDirectory: String) -> String {
        "\(stateDirectory)/local/\(name).json"
    }

    /// - Parameters:
    ///   - stateDirectory: the agent's state directory (`$XDG_STATE_HOME/cloud-agent`).
    ///   - clock: seconds since 1970; tests pass their own.
    public init(configuration: ProviderConfiguration, stateDirectory: String, logger: Logger,
                heartbeatInterval: Duration = .seconds(10),
                clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        name = configuration.name
        settings = LocalSettings(configuration)
        stateFilePath = settings.stateFile ?? Self.defaultStateFile(name: configuration.name, stateDirectory: stateDirectory)
        file = LocalStateFile(path: stateFilePath, logger: logger)
        waiters = ResourceWaiters(heartbeatInterval: heartbeatInterval)
        pollPolicy = PollPolicy(initial: .milliseconds(Int64(min(2000, max(50, 50 * settings.timeScale)))),
                                maximum: .milliseconds(Int64(min(30_000, max(1000, 250 * settings.timeScale)))))
        self.clock = clock
    }

    // MARK: - Clusters

    public func createCluster(_ request: CreateClusterRequest) async throws -> KubernetesCluster {
        try request.validate()
        try PortableRules.clusterName(request.name)
        try ResourceRules.nodeCount(request.nodeCount, range: 0...100)
        let version = try offeredVersion(request.version ?? LocalCatalog.defaultVersion)
        let region = request.region ?? settings.region
        let nodeType = request.nodeType ?? LocalCatalog.defaultNodeType
        let fails = request.tags[LocalCatalog.simulateTag] == "failure"
        return try mutate { state, now in
            if let existing = state.clusters[request.name] {
                // A repeat of the create that made it (same idempotency key) answers it.
                if let token = request.clientToken, existing.clientToken == token { return clusterView(existing, now: now) }
                let status = existing.timeline.state(at: now).step.status
                throw CloudProviderError.conflict(resourceType: "cluster", name: request.name, reason: "already exists (status \(status.rawValue))")
            }
            let controlPlane = scaled(LocalCatalog.Duration.controlPlane)
            let poolTime = scaled(LocalCatalog.Duration.nodePool)
            let end = fails
                ? Step(at: 0, .failed, "FAILED", "simulated failure (tag \(LocalCatalog.simulateTag)=failure)")
                : Step(at: 0, .active, "ACTIVE")
            var timeline = Timeline(Step(at: now, .creating, "CREATING", "creating control plane", version: version))
            var pools: [String: PoolRecord] = [:]
            if request.nodeCount > 0 {
                timeline.schedule(now: now, [
                    (controlPlane, Step(at: 0, .creating, "CREATING", "creating node pool \(LocalCatalog.defaultPoolName)")),
                    (poolTime, end),
                ])
                var poolTimeline = Timeline(Step(at: now, .creating, "CREATING", "creating \(Self.nodes(request.nodeCount))",
                                                 version: version, nodeCount: request.nodeCount))
                poolTimeline.schedule(now: now, [
                    (controlPlane + poolTime, fails ? Step(at: 0, .failed, "CREATE_FAILED", "cluster creation failed") : Step(at: 0, .active, "ACTIVE")),
                ])
                pools[LocalCatalog.defaultPoolName] = PoolRecord(
                    id: Self.newID("np-"), name: LocalCatalog.defaultPoolName, nodeType: nodeType, createdAt: now, timeline: poolTimeline)
            } else {
                timeline.schedule(now: now, [(controlPlane + poolTime, end)])
            }
            let record = ClusterRecord(id: Self.newID("lc-"), name: request.name, region: region, createdAt: now, tags: request.tags,
                                       subnets: request.subnets, timeline: timeline, pools: pools, clientToken: request.clientToken)
            state.clusters[request.name] = record
            return clusterView(record, now: now)
        }
    }

    public func getCluster(name: String) async throws -> KubernetesCluster {
        try read { state, now in clusterView(try liveCluster(name, in: state, now: now), now: now) }
    }

    public func listClusters(_ page: PageRequest, region: String?) async throws -> Page<KubernetesCluster> {
        try read { state, now in
            let views = state.clusters.values.filter { region == nil || $0.region == region }.map { clusterView($0, now: now) }
                .filter { $0.status != .deleted }
            return try Pagination.page(of: views.sorted { $0.name < $1.name }, key: \.name, request: page)
        }
    }

    public func deleteCluster(name: String) async throws -> KubernetesCluster {
        try mutate { state, now in
            var record = try liveCluster(name, in: state, now: now)
            let status = record.timeline.state(at: now).step.status
            switch status {
            case .deleting:
                return clusterView(record, now: now)
            case .creating, .updating:
                throw CloudProviderError.conflict(resourceType: "cluster", name: name,
                                                  reason: "is \(status.rawValue); wait until it is active, then delete it")
            default:
                break
            }
            let poolTime = scaled(LocalCatalog.Duration.poolDeletion)
            let controlPlaneTime = scaled(LocalCatalog.Duration.controlPlaneDeletion)
            let livePools = record.pools.values.filter { $0.timeline.state(at: now).step.status != .deleted }
            if livePools.isEmpty {
                record.timeline.schedule(now: now, [
                    (0, Step(at: 0, .deleting, "DELETING", "deleting control plane")),
                    (controlPlaneTime, Step(at: 0, .deleted, "DELETED")),
                ])
            } else {
                record.timeline.schedule(now: now, [
                    (0, Step(at: 0, .deleting, "DELETING", "deleting node pools")),
                    (poolTime, Step(at: 0, .deleting, "DELETING", "deleting control plane")),
                    (controlPlaneTime, Step(at: 0, .deleted, "DELETED")),
                ])
                for pool in livePools {
                    record.pools[pool.name]!.timeline.schedule(now: now, [
                        (0, Step(at: 0, .deleting, "DELETING", "deleting with the cluster")),
                        (poolTime, Step(at: 0, .deleted, "DELETED")),
                    ])
                }
            }
            state.clusters[name] = record
            return clusterView(record, now: now)
        }
    }

    public func getKubeconfig(cluster name: String, options: KubeconfigOptions) async throws -> String {
        // Its kubeconfigs carry a placeholder token: there is no auth mode to choose.
        _ = try options.authMode(among: [], provider: "local")
        return try read { state, now in
            let view = clusterView(try liveCluster(name, in: state, now: now), now: now)
            guard let endpoint = view.endpoint, view.status == .active || view.status == .updating else {
                throw CloudProviderError.conflict(resourceType: "cluster", name: name,
                                                  reason: "is \(view.status.rawValue) and has no API endpoint to connect to"
                                                      + (view.status == .creating ? " yet; wait for it with waitClusterReady" : ""))
            }
            return LocalKubeconfig.render(provider: self.name, cluster: name, endpoint: endpoint)
        }
    }

    // MARK: - Upgrades

    /// Upgrades the control plane, then (by default) the ready node pools with it. Asking
    /// again for an upgrade under way or done answers the cluster as it is; asking again with
    /// node pools for a cluster whose control plane is done upgrades the pools still behind.
    public func upgradeCluster(name: String, version: String, nodePools: Bool?) async throws -> KubernetesCluster {
        try ResourceRules.version(version)
        let withPools = nodePools ?? true
        return try mutate { state, now in
            var record = try liveCluster(name, in: state, now: now)
            let current = record.timeline.state(at: now)
            let currentVersion = current.version ?? LocalCatalog.defaultVersion
            let livePools = record.pools.values.filter { $0.timeline.state(at: now).step.status.isReady }
            let settled = record.timeline.state(at: .infinity)
            func poolsBehind() -> [PoolRecord] {
                livePools.filter { ($0.timeline.state(at: .infinity).version ?? LocalCatalog.defaultVersion) != version }
            }
            if version == (settled.version ?? LocalCatalog.defaultVersion) {
                guard withPools, current.step.status == .active, settled.step.status.isReady, !poolsBehind().isEmpty else {
                    return clusterView(record, now: now)
                }
                // The control plane is there and the node pools are not: upgrade those pools.
                schedulePoolUpgrades(of: &record, pools: poolsBehind(), to: version, after: 0, now: now)
                state.clusters[name] = record
                return clusterView(record, now: now)
            }
            guard current.step.status == .active else {
                throw CloudProviderError.conflict(resourceType: "cluster", name: name,
                                                  reason: "is \(current.step.status.rawValue); only an active cluster can be upgraded")
            }
            let target = try offeredVersion(version)
            try Self.checkUpgradeStep(from: currentVersion, to: target)
            if !withPools, let stale = livePools.first(where: { !Self.poolMaySkew($0.timeline.state(at: now).version, behind: target) }) {
                throw CloudProviderError.invalidRequest(field: "nodePools", reason: "cannot be false: node pool \(stale.name) would be more than two minor versions behind \(target); upgrade it with the control plane")
            }
            let controlPlaneTime = scaled(LocalCatalog.Duration.controlPlaneUpgrade)
            let upgraded = withPools ? livePools : []
            if upgraded.isEmpty {
                record.timeline.schedule(now: now, [
                    (0, Step(at: 0, .updating, "UPDATING", "upgrading control plane to \(target)")),
                    (controlPlaneTime, Step(at: 0, .active, "ACTIVE", version: target)),
                ])
            } else {
                record.timeline.schedule(now: now, [(0, Step(at: 0, .updating, "UPDATING", "upgrading control plane to \(target)"))])
                schedulePoolUpgrades(of: &record, pools: upgraded, to: target, after: controlPlaneTime, now: now)
            }
            state.clusters[name] = record
            return clusterView(record, now: now)
        }
    }

    /// After `delay`, the cluster is at `target` and upgrades `pools` to it; then it is active.
    private func schedulePoolUpgrades(of record: inout ClusterRecord, pools: [PoolRecord], to target: String, after delay: Double, now: Double) {
        let poolTime = scaled(LocalCatalog.Duration.poolUpgrade)
        record.timeline.schedule(now: now, [
            (delay, Step(at: 0, .updating, "UPDATING", "upgrading node pools to \(target)", version: target)),
            (poolTime, Step(at: 0, .active, "ACTIVE")),
        ])
        for pool in pools {
            record.pools[pool.name]!.timeline.schedule(now: now, [
                (delay, Step(at: 0, .updating, "UPDATING", "upgrading nodes to \(target)")),
                (poolTime, Step(at: 0, .active, "ACTIVE", version: target)),
            ])
        }
    }

    /// Whether nodes at `poolVersion` may stay under a control plane at `target` (two minor
    /// versions behind at most, as `createNodePool` allows).
    static func poolMaySkew(_ poolVersion: String?, behind target: String) -> Bool {
        guard let pool = LocalCatalog.minor(of: poolVersion ?? LocalCatalog.defaultVersion), let control = LocalCatalog.minor(of: target) else {
            return false
        }
        return pool.major == control.major && control.minor - pool.minor <= 2
    }

    public func availableVersions(cluster: String?) async throws -> [KubernetesVersion] {
        guard let cluster else { return LocalCatalog.versions }
        return try read { state, now in
            let record = try liveCluster(cluster, in: state, now: now)
            let current = record.timeline.state(at: now).version ?? LocalCatalog.defaultVersion
            return LocalCatalog.versions.filter { (try? Self.checkUpgradeStep(from: current, to: $0.version)) != nil }
        }
    }

    // MARK: - Node pools

    public func createNodePool(_ request: CreateNodePoolRequest) async throws -> NodePool {
        try request.validate()
        try PortableRules.nodePoolName(request.name)
        try ResourceRules.nodeCount(request.nodeCount, range: 0...100)
        return try mutate { state, now in
            var cluster = try liveCluster(request.cluster, in: state, now: now)
            let current = cluster.timeline.state(at: now)
            guard current.step.status == .active else {
                throw CloudProviderError.conflict(resourceType: "cluster", name: request.cluster,
                                                  reason: "is \(current.step.status.rawValue); node pools can be added to an active cluster only")
            }
            if let existing = cluster.pools[request.name] {
                let status = existing.timeline.state(at: now).step.status
                throw CloudProviderError.conflict(resourceType: "node pool", name: "\(request.cluster)/\(request.name)",
                                                  reason: "already exists (status \(status.rawValue))")
            }
            let clusterVersion = current.version ?? LocalCatalog.defaultVersion
            let version = try poolVersion(request.version, clusterVersion: clusterVersion)
            var timeline = Timeline(Step(at: now, .creating, "CREATING", "creating \(Self.nodes(request.nodeCount))",
                                         version: version, nodeCount: request.nodeCount))
            timeline.schedule(now: now, [(scaled(LocalCatalog.Duration.nodePool * 1.5), Step(at: 0, .active, "ACTIVE"))])
            let pool = PoolRecord(id: Self.newID("np-"), name: request.name, nodeType: request.nodeType ?? LocalCatalog.defaultNodeType,
                                  createdAt: now, timeline: timeline)
            cluster.pools[request.name] = pool
            state.clusters[request.cluster] = cluster
            return poolView(pool, cluster: request.cluster, now: now)
        }
    }

    public func getNodePool(cluster: String, name: String) async throws -> NodePool {
        try read { state, now in
            let record = try liveCluster(cluster, in: state, now: now)
            return poolView(try livePool(name, of: record, now: now), cluster: cluster, now: now)
        }
    }

    public func listNodePools(cluster: String, page: PageRequest) async throws -> Page<NodePool> {
        try read { state, now in
            let record = try liveCluster(cluster, in: state, now: now)
            let views = record.pools.values.map { poolView($0, cluster: cluster, now: now) }.filter { $0.status != .deleted }
            return try Pagination.page(of: views.sorted { $0.name < $1.name }, key: \.name, request: page)
        }
    }

    public func scaleNodePool(cluster: String, name: String, nodeCount: Int) async throws -> NodePool {
        try ResourceRules.nodeCount(nodeCount)
        try ResourceRules.nodeCount(nodeCount, range: 0...100)
        return try mutate { state, now in
            var record = try liveCluster(cluster, in: state, now: now)
            var pool = try livePool(name, of: record, now: now)
            let current = pool.timeline.state(at: now)
            // Asking again for the size under way, or reached, answers the pool as it is.
            let settled = pool.timeline.state(at: .infinity)
            if settled.nodeCount == nodeCount, settled.step.status.isReady { return poolView(pool, cluster: cluster, now: now) }
            guard current.step.status == .active else {
                throw CloudProviderError.conflict(resourceType: "node pool", name: "\(cluster)/\(name)",
                                                  reason: "is \(current.step.status.rawValue); wait until it is active, then scale it")
            }
            pool.timeline.schedule(now: now, [
                (0, Step(at: 0, .updating, "UPDATING", "scaling from \(current.nodeCount ?? 0) to \(Self.nodes(nodeCount))")),
                (scaled(LocalCatalog.Duration.poolScaling), Step(at: 0, .active, "ACTIVE", nodeCount: nodeCount)),
            ])
            record.pools[name] = pool
            state.clusters[cluster] = record
            return poolView(pool, cluster: cluster, now: now)
        }
    }

    public func deleteNodePool(cluster: String, name: String) async throws -> NodePool {
        try mutate { state, now in
            var record = try liveCluster(cluster, in: state, now: now)
            var pool = try livePool(name, of: record, now: now)
            let status = pool.timeline.state(at: now).step.status
            switch status {
            case .deleting:
                return poolView(pool, cluster: cluster, now: now)
            case .creating, .updating:
                throw CloudProviderError.conflict(resourceType: "node pool", name: "\(cluster)/\(name)",
                                                  reason: "is \(status.rawValue); wait until it is active, then delete it")
            default:
                break
            }
            pool.timeline.schedule(now: now, [
                (0, Step(at: 0, .deleting, "DELETING", "deleting nodes")),
                (scaled(LocalCatalog.Duration.poolDeletion), Step(at: 0, .deleted, "DELETED")),
            ])
            record.pools[name] = pool
            state.clusters[cluster] = record
            return poolView(pool, cluster: cluster, now: now)
        }
    }

    // MARK: - Instances

    public func createInstance(_ request: CreateInstanceRequest) async throws -> Instance {
        try request.validate()
        try PortableRules.instanceName(request.name)
        let zones = LocalCatalog.zoneSuffixes.map { settings.region + $0 }
        let zone = request.zone ?? zones[0]
        guard zones.contains(zone) else {
            throw CloudProviderError.invalidRequest(field: "zone", reason: "must be a zone of region \(settings.region): \(zones.joined(separator: ", "))")
        }
        return try mutate { state, now in
            if let token = request.clientToken,
               let earlier = state.instances.values.first(where: { $0.clientToken == token && !isExpired($0, now: now) }) {
                // As EC2: the same key answers the instance it launched; with other params it is a mistake.
                guard earlier.name == request.name else {
                    throw CloudProviderError.conflict(resourceType: "instance", name: request.name,
                                                      reason: "clientToken was used to launch \(earlier.id) ('\(earlier.name)') with other params")
                }
                return instanceView(earlier, now: now)
            }
            if let existing = state.instances.values.first(where: { $0.name == request.name && $0.timeline.state(at: now).step.status != .deleted }) {
                throw CloudProviderError.conflict(resourceType: "instance", name: request.name,
                                                  reason: "already exists as \(existing.id) (names are unique among instances that are not terminated)")
            }
            var timeline = Timeline(Step(at: now, .creating, "pending"))
            timeline.schedule(now: now, [
                (scaled(LocalCatalog.Duration.instanceTransition), Step(at: 0, .running, "running", publicIP: Self.newPublicIP())),
            ])
            let record = InstanceRecord(
                id: Self.newID("i-", length: 17), name: request.name, instanceType: request.instanceType ?? LocalCatalog.defaultInstanceType,
                image: request.image ?? LocalCatalog.defaultImage, zone: zone, subnet: request.subnet,
                privateIP: "10.\(Int.random(in: 0...255)).\(Int.random(in: 0...255)).\(Int.random(in: 4...254))",
                tags: request.tags, createdAt: now, timeline: timeline, clientToken: request.clientToken)
            state.instances[record.id] = record
            return instanceView(record, now: now)
        }
    }

    public func getInstance(id: String) async throws -> Instance {
        try read { state, now in instanceView(try liveInstance(id, in: state, now: now), now: now) }
    }

    public func listInstances(_ page: PageRequest, filter: InstanceFilter) async throws -> Page<Instance> {
        try filter.validate()
        return try read { state, now in
            let views = state.instances.values.filter { !isExpired($0, now: now) }.map { instanceView($0, now: now) }.filter(filter.matches)
            return try Pagination.page(of: views.sorted { ($0.name, $0.id) < ($1.name, $1.id) }, key: { "\($0.name)\u{1F}\($0.id)" }, request: page)
        }
    }

    public func startInstance(id: String) async throws -> Instance {
        try powerAction(id) { status, raw throws(CloudProviderError) in
            switch status {
            case .running, .creating:
                return nil
            case .stopped:
                return [(0, Step(at: 0, .creating, "pending")),
                        (scaled(LocalCatalog.Duration.instanceTransition), Step(at: 0, .running, "running", publicIP: Self.newPublicIP()))]
            case .deleting, .deleted:
                throw Self.instanceConflict(id, "is \(raw); a terminated instance cannot be started")
            default:
                throw Self.instanceConflict(id, "is \(raw); wait until it is stopped, then start it")
            }
        }
    }

    /// Stopping always releases the instance's compute here: `deallocate` changes nothing.
    public func stopInstance(id: String, deallocate: Bool?) async throws -> Instance {
        try powerAction(id) { status, raw throws(CloudProviderError) in
            switch status {
            case .stopped, .stopping:
                return nil
            case .running:
                return [(0, Step(at: 0, .stopping, "stopping")),
                        (scaled(LocalCatalog.Duration.instanceTransition), Step(at: 0, .stopped, "stopped", releasesPublicIP: true))]
            case .deleting, .deleted:
                throw Self.instanceConflict(id, "is \(raw); a terminated instance cannot be stopped")
            default:
                throw Self.instanceConflict(id, "is \(raw); wait until it is running, then stop it")
            }
        }
    }

    public func terminateInstance(id: String) async throws -> Instance {
        try powerAction(id) { status, _ in
            if status == .deleting || status == .deleted { return nil }
            return [(0, Step(at: 0, .deleting, "shutting-down")),
                    (scaled(LocalCatalog.Duration.instanceTransition), Step(at: 0, .deleted, "terminated", releasesPublicIP: true))]
        }
    }

    /// Runs a power action: `plan` gets the instance's status and raw state and returns the
    /// phases to schedule, nil to answer the instance as it is (already there), or throws.
    private func powerAction(_ id: String,
                             _ plan: (ResourceStatus, String) throws(CloudProviderError) -> [(after: Double, step: Step)]?) throws -> Instance {
        try mutate { state, now in
            var record = try liveInstance(id, in: state, now: now)
            let current = record.timeline.state(at: now).step
            guard let phases = try plan(current.status, current.providerStatus) else { return instanceView(record, now: now) }
            record.timeline.schedule(now: now, phases)
            state.instances[id] = record
            return instanceView(record, now: now)
        }
    }

    private static func instanceConflict(_ id: String, _ reason: String) -> CloudProviderError {
        .conflict(resourceType: "instance", name: id, reason: reason)
    }

    // MARK: - State access

    /// Runs a change under the cross-process lock: re-read, prune, change, save.
    private func mutate<T>(_ body: (inout LocalState, Double) throws -> T) throws -> T {
        var file = self.file
        defer { self.file = file }
        return try file.withLock { () throws(CloudProviderError) -> T in
            try file.refresh(&state)
            let now = clock()
            prune(&state, now: now)
            let snapshot = state
            do {
                let result = try body(&state, now)
                if state != snapshot { try file.save(state) }
                return result
            } catch {
                state = snapshot
                throw error as? CloudProviderError ?? .providerError(ProviderFailure(code: "LocalError", message: "\(error)"))
            }
        }
    }

    /// Runs a read on the current state (re-read if another process changed the file).
    private func read<T>(_ body: (LocalState, Double) throws -> T) throws -> T {
        try file.refresh(&state)
        return try body(state, clock())
    }

    private func prune(_ state: inout LocalState, now: Double) {
        for (name, record) in state.clusters {
            if record.timeline.state(at: now).step.status == .deleted {
                state.clusters[name] = nil
                continue
            }
            for (poolName, pool) in record.pools where pool.timeline.state(at: now).step.status == .deleted {
                state.clusters[name]!.pools[poolName] = nil
            }
        }
        for (id, record) in state.instances where isExpired(record, now: now) {
            state.instances[id] = nil
        }
    }

    private func isExpired(_ record: InstanceRecord, now: Double) -> Bool {
        let current = record.timeline.state(at: now).step
        return current.status == .deleted && current.at + LocalCatalog.terminatedRetention <= now
    }

    private func liveCluster(_ name: String, in state: LocalState, now: Double) throws(CloudProviderError) -> ClusterRecord {
        guard let record = state.clusters[name], record.timeline.state(at: now).step.status != .deleted else {
            throw .notFound(resourceType: "cluster", name: name)
        }
        return record
    }

    private func livePool(_ name: String, of cluster: ClusterRecord, now: Double) throws(CloudProviderError) -> PoolRecord {
        guard let pool = cluster.pools[name], pool.timeline.state(at: now).step.status != .deleted else {
            throw .notFound(resourceType: "node pool", name: "\(cluster.name)/\(name)")
        }
        return pool
    }

    private func liveInstance(_ id: String, in state: LocalState, now: Double) throws(CloudProviderError) -> InstanceRecord {
        guard let record = state.instances[id], !isExpired(record, now: now) else {
            throw .notFound(resourceType: "instance", name: id)
        }
        return record
    }

    // MARK: - Views

    private func clusterView(_ record: ClusterRecord, now: Double) -> KubernetesCluster {
        let current = record.timeline.state(at: now)
        let status = current.step.status
        let hasEndpoint = status == .active || status == .updating || status == .deleting
        let pools = record.pools.values.map { poolView($0, cluster: record.name, now: now) }
            .filter { $0.status != .deleted }.sorted { $0.name < $1.name }
        return KubernetesCluster(
            id: record.id, name: record.name, provider: name, cloud: .local, region: record.region,
            version: current.version ?? LocalCatalog.defaultVersion, status: status, providerStatus: current.step.providerStatus,
            statusMessage: current.step.message, endpoint: hasEndpoint ? "https://\(record.id).local-cluster.invalid:6443" : nil,
            nodePools: pools, createdAt: Self.timestamp(record.createdAt), tags: record.tags)
    }

    private func poolView(_ pool: PoolRecord, cluster: String, now: Double) -> NodePool {
        let current = pool.timeline.state(at: now)
        return NodePool(id: pool.id, name: pool.name, cluster: cluster, status: current.step.status,
                        providerStatus: current.step.providerStatus, statusMessage: current.step.message,
                        nodeCount: current.nodeCount ?? 0, nodeType: pool.nodeType,
                        version: current.version ?? LocalCatalog.defaultVersion, createdAt: Self.timestamp(pool.createdAt))
    }

    private func instanceView(_ record: InstanceRecord, now: Double) -> Instance {
        let current = record.timeline.state(at: now)
        return Instance(id: record.id, name: record.name, provider: name, cloud: .local, state: current.step.status,
                        providerState: current.step.providerStatus, instanceType: record.instanceType, image: record.image,
                        zone: record.zone, publicIP: current.publicIP, privateIP: current.step.status == .deleted ? nil : record.privateIP,
                        tags: record.tags, createdAt: Self.timestamp(record.createdAt))
    }

    // MARK: - Rules and helpers

    private func scaled(_ seconds: Double) -> Double { seconds * settings.timeScale }

    /// The catalog entry for `version`, or an error listing what is offered.
    private func offeredVersion(_ version: String) throws(CloudProviderError) -> String {
        try ResourceRules.version(version)
        guard LocalCatalog.versions.contains(where: { $0.version == version }) else {
            let offered = LocalCatalog.versions.map(\.version).joined(separator: ", ")
            throw .invalidRequest(field: "version", reason: "is not offered by the local provider; choose one of \(offered)")
        }
        return version
    }

    private func poolVersion(_ requested: String?, clusterVersion: String) throws(CloudProviderError) -> String {
        guard let requested else { return clusterVersion }
        let version = try offeredVersion(requested)
        guard let pool = LocalCatalog.minor(of: version), let control = LocalCatalog.minor(of: clusterVersion),
              pool.major == control.major, pool.minor <= control.minor, control.minor - pool.minor <= 2 else {
            throw .invalidRequest(field: "version", reason: "must be the cluster's version \(clusterVersion) or up to two minor versions older")
        }
        return version
    }

    /// Upgrades go one minor version at a time, never down.
    static func checkUpgradeStep(from current: String, to target: String) throws(CloudProviderError) {
        guard let from = LocalCatalog.minor(of: current), let to = LocalCatalog.minor(of: target), from.major == to.major else {
            throw .invalidRequest(field: "version", reason: "cannot upgrade from \(current) to \(target)")
        }
        if to.minor < from.minor || (to.minor == from.minor && target < current) {
            throw .invalidRequest(field: "version", reason: "is older than the cluster's \(current); clusters cannot be downgraded")
        }
        if to.minor > from.minor + 1 {
            throw .invalidRequest(field: "version", reason: "is more than one minor version ahead of \(current); upgrade one minor version at a time (next: \(from.major).\(from.minor + 1))")
        }
        if to.minor == from.minor, target == current {
            throw .invalidRequest(field: "version", reason: "is the cluster's current version")
        }
    }

    static func nodes(_ count: Int) -> String { count == 1 ? "1 node" : "\(count) nodes" }

    static func newID(_ prefix: String, length: Int = 16) -> String {
        prefix + String((0..<length).map { _ in "0123456789abcdef".randomElement()! })
    }

    /// An address from TEST-NET-3 (RFC 5737), reserved for documentation: clearly not real.
    static func newPublicIP() -> String { "203.0.113.\(Int.random(in: 1...254))" }

    static func timestamp(_ seconds: Double) -> String {
        Date(timeIntervalSince1970: seconds).formatted(.iso8601)
    }
}
