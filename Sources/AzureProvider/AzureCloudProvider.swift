import CloudCore
import Diagnostics
import Foundation

/// One configured Azure subscription and resource group: AKS managed clusters and their agent
/// pools, and virtual machines.
///
/// ARM mutations answer 201 or 202 with a long-running operation (`Azure-AsyncOperation` or
/// `Location`); this actor remembers the latest one per resource and reads it (no sooner than
/// its `Retry-After`) while reporting the resource: an operation still running says what runs
/// in the status message, one that failed makes a new resource `failed` or reaches the caller
/// as the error (upgrades, scaling, power actions).
public actor AzureCloudProvider: CloudProvider {
    public nonisolated let name: String
    public nonisolated let kind = ProviderKind.azure
    public nonisolated let waiters = ResourceWaiters()
    public nonisolated let pollPolicy: PollPolicy
    let settings: ProviderConfiguration
    let client: ARMClient
    let invocation: AgentInvocation
    let tokens: any AzureAccessTokenSource
    let logger: Logger
    let environment: [String: String]

    /// An ARM operation being followed, and what it was for.
    struct TrackedOperation: Sendable {
        var reference: ARMOperationReference
        /// createCluster, deleteCluster, upgradeCluster, createNodePool, scaleNodePool,
        /// deleteNodePool, createInstance, start, powerOff, deallocate, delete.
        var kind: String
        var detail: String
        /// Not polled again before this (ARM's `Retry-After`).
        var notBefore: ContinuousClock.Instant?
        var last: ARMOperationStatus?
    }

    var clusterOperations: [String: TrackedOperation] = [:]
    var poolOperations: [String: TrackedOperation] = [:]
    var instanceOperations: [String: TrackedOperation] = [:]
    /// The resource group of each cluster seen outside the configured one.
    var clusterGroups: [String: String] = [:]

    /// The tag that carries a create's `clientToken`, so a repeated create answers the cluster
    /// or VM it made.
    static let clientTokenTag = "cloud-agent-client-token"
    static let initialPoolName = "default"
    static let defaultNodeSize = "Standard_D4s_v5"
    static let defaultInstanceSize = "Standard_B2s"
    static let defaultImage = "Canonical:ubuntu-24_04-lts:server:latest"
    static let defaultAdminUser = "azureuser"
    /// The Microsoft Entra application of AKS's API servers: the audience of tokens for AAD clusters.
    public static let aksServerApplication = "6dae42f8-4368-4678-94ff-3960e28e3630"

    init(configuration: ProviderConfiguration, tokens: any AzureAccessTokenSource, environment: [String: String], logger: Logger,
         invocation: AgentInvocation, transport: any HTTPTransport) {
        name = configuration.name
        settings = configuration
        let override = configuration.string("endpointURL").flatMap(URL.init(string:))
        let quick = override.map { EndpointPolicy.isLoopback($0.host ?? "") } ?? false
        pollPolicy = quick ? PollPolicy(initial: .milliseconds(100), maximum: .seconds(1)) : .cloud
        let providerLogger = logger.child("provider \(configuration.name)")
        client = ARMClient(transport: transport, tokens: tokens, endpoints: AzureEndpoints(override: override),
                           retry: quick ? RetryPolicy(maxAttempts: 3, base: .milliseconds(50)) : RetryPolicy(), logger: providerLogger)
        self.invocation = invocation
        self.tokens = tokens
        self.environment = environment
        self.logger = providerLogger
    }

    /// - Parameters:
    ///   - environment: the process environment (credentials, AZURE_SUBSCRIPTION_ID).
    ///   - invocation: how the kubeconfigs' credential plugin runs this agent.
    ///   - transport: how requests go out (tests inject their own).
    public init(configuration: ProviderConfiguration, environment: [String: String], logger: Logger,
                invocation: AgentInvocation = AgentInvocation(), transport: any HTTPTransport = CurlTransport()) {
        let endpoints = AzureEndpoints(override: configuration.string("endpointURL").flatMap(URL.init(string:)))
        self.init(configuration: configuration, tokens: Self.tokenSource(configuration, scope: endpoints.scope, environment: environment, logger: logger),
                  environment: environment, logger: logger, invocation: invocation, transport: transport)
    }

    /// Where the provider's tokens come from: the Azure SDKs' default credential order, with
    /// the provider's `accessToken` and service principal settings first.
    static func tokenSource(_ configuration: ProviderConfiguration, scope: String, environment: [String: String],
                            logger: Logger) -> AzureCredentialChain {
        AzureCredentialChain(accessToken: configuration.string("accessToken"), tenantID: configuration.string("tenantId"),
                             clientID: configuration.string("clientId"), clientSecret: configuration.string("clientSecret"),
                             authorityHost: configuration.string("authorityHost"), scope: scope, environment: environment,
                             transport: CurlTransport(requestTimeout: 30), metadataTransport: CurlTransport(requestTimeout: 2),
                             logger: logger.child("provider \(configuration.name)"))
    }

    // MARK: - Settings

    func requiredSetting(_ key: String, for purpose: String) throws(CloudProviderError) -> String {
        guard let value = settings.string(key) else {
            throw .invalidRequest(field: key, reason: "is a setting the azure provider '\(name)' needs \(purpose); add it with configureProvider or the config file")
        }
        return value
    }

    /// The `subscriptionId` setting, else `AZURE_SUBSCRIPTION_ID`.
    var subscription: String {
        get throws(CloudProviderError) {
            if let value = settings.string("subscriptionId") ?? environment["AZURE_SUBSCRIPTION_ID"].flatMap({ $0.isEmpty ? nil : $0 }) {
                return value
            }
            return try requiredSetting("subscriptionId", for: "for every call (or set AZURE_SUBSCRIPTION_ID)")
        }
    }

    var resourceGroup: String {
        get throws(CloudProviderError) { try requiredSetting("resourceGroup", for: "to create and find clusters and VMs") }
    }

    /// The `location` setting, else the provider's `region`.
    var defaultLocation: String {
        get throws(CloudProviderError) {
            if let location = settings.string("location") ?? settings.region { return location }
            return try requiredSetting("location", for: "to create clusters and VMs (an Azure region such as eastus)")
        }
    }

    var aks: AKSClient {
        get throws(CloudProviderError) { AKSClient(client: client, subscription: try subscription) }
    }

    var machines: VirtualMachineClient {
        get throws(CloudProviderError) { VirtualMachineClient(client: client, subscription: try subscription) }
    }

    // MARK: - Operations

    /// Where a tracked operation stands: read from ARM unless its `Retry-After` has not passed
    /// (then the last reading). Updates the tracked entry.
    func observe(_ tracked: inout TrackedOperation, subject: ARMClient.Subject) async throws -> ARMOperationStatus {
        let clock = ContinuousClock()
        if let last = tracked.last, let notBefore = tracked.notBefore, clock.now < notBefore { return last }
        let status = try await client.operationStatus(tracked.reference, subject: subject)
        tracked.last = status
        tracked.notBefore = status.retryAfter.map { clock.now + .milliseconds(Int64(min($0, 60) * 1000)) }
        return status
    }

    /// The failure of an operation that was not a create: the call's error.
    static func operationFailed(_ tracked: TrackedOperation, _ message: String, of subject: String) -> CloudProviderError {
        .providerError(ProviderFailure(code: tracked.last?.error?.code ?? "OperationFailed",
                                       message: "\(tracked.detail) of \(subject) failed: \(message)"))
    }

    // MARK: - Clusters

    /// The resource group a cluster lives in: where it was last seen, else the configured one.
    func group(ofCluster clusterName: String) throws(CloudProviderError) -> String {
        if let known = clusterGroups[clusterName] { return known }
        return try resourceGroup
    }

    public func createCluster(_ request: CreateClusterRequest) async throws -> KubernetesCluster {
        try request.validate()
        try AzureNames.clusterName(request.name)
        guard request.nodeCount > 0 else {
            throw CloudProviderError.invalidRequest(field: "nodeCount", reason: "AKS clusters need at least one node in their system node pool")
        }
        if !request.securityGroups.isEmpty {
            throw CloudProviderError.invalidRequest(field: "securityGroups", reason: "AKS manages its own network security groups; pass subnets instead")
        }
        if request.network != nil {
            throw CloudProviderError.invalidRequest(field: "network", reason: "Azure attaches clusters to a subnet: pass subnets with the subnet's resource id")
        }
        let group = try resourceGroup
        let location = try request.region ?? defaultLocation
        let aks = try self.aks
        do {
            let existing = try await aks.get(resourceGroup: group, request.name)
            if let token = request.clientToken, existing.tags?[Self.clientTokenTag] == token {
                clusterGroups[request.name] = group
                return try await getCluster(name: request.name)
            }
            throw CloudProviderError.conflict(resourceType: "cluster", name: request.name,
                                              reason: "already exists in resource group \(group) (\(existing.properties.provisioningState ?? "?"))")
        } catch CloudProviderError.notFound {
            // Free: create it.
        }
        var pool = AKSAgentPoolProfile(name: Self.initialPoolName, count: request.nodeCount, vmSize: request.nodeType ?? Self.defaultNodeSize,
                                       mode: "System")
        pool.osType = "Linux"
        pool.type = "VirtualMachineScaleSets"
        pool.vnetSubnetID = request.subnets.first
        var properties = AKSManagedCluster.Properties()
        properties.kubernetesVersion = request.version
        properties.dnsPrefix = AzureNames.dnsPrefix(for: request.name)
        properties.agentPoolProfiles = [pool]
        properties.enableRBAC = true
        if request.endpointAccess == .private || !request.publicAccessCidrs.isEmpty {
            properties.apiServerAccessProfile = .init(enablePrivateCluster: request.endpointAccess == .private ? true : nil,
                                                      authorizedIPRanges: request.publicAccessCidrs.isEmpty ? nil : request.publicAccessCidrs)
        }
        var tags = request.tags
        if let token = request.clientToken { tags[Self.clientTokenTag] = token }
        let body = AKSManagedCluster(location: location, tags: tags.isEmpty ? nil : tags, identity: .init(type: "SystemAssigned"),
                                     properties: properties)
        let answer = try await aks.put(resourceGroup: group, request.name, body)
        clusterGroups[request.name] = group
        if let operation = answer.operation {
            clusterOperations[request.name] = TrackedOperation(reference: operation, kind: "createCluster", detail: "creating cluster")
        }
        var view = AzureStatusMapping.kubernetesCluster(answer.value, name: request.name, provider: name,
                                                        id: "/subscriptions/\(try subscription)/resourceGroups/\(group)/providers/Microsoft.ContainerService/managedClusters/\(request.name)")
        if view.status == .unknown || view.status == .active, answer.operation != nil {
            view.status = .creating
        }
        view.statusMessage = view.statusMessage ?? "creating cluster"
        return view
    }

    public func getCluster(name clusterName: String) async throws -> KubernetesCluster {
        let cluster: AKSManagedCluster
        do {
            cluster = try await describe(clusterName)
        } catch CloudProviderError.notFound {
            if clusterOperations[clusterName]?.kind == "deleteCluster" { clusterOperations[clusterName] = nil }
            throw CloudProviderError.notFound(resourceType: "cluster", name: clusterName)
        }
        var view = AzureStatusMapping.kubernetesCluster(cluster, name: clusterName, provider: name, id: cluster.id ?? clusterName)
        try await applyOperation(to: &view)
        return view
    }

    /// The cluster from the resource group it was last seen in, else the configured one, else
    /// wherever in the subscription it is (when no resource group is configured).
    func describe(_ clusterName: String) async throws -> AKSManagedCluster {
        let aks = try self.aks
        if let group = clusterGroups[clusterName] ?? settings.string("resourceGroup") {
            return try await aks.get(resourceGroup: group, clusterName)
        }
        let all = try await aks.list(resourceGroup: nil)
        guard let found = all.first(where: { $0.name == clusterName }), let group = AzureStatusMapping.resourceGroup(of: found.id) else {
            throw CloudProviderError.notFound(resourceType: "cluster", name: clusterName)
        }
        clusterGroups[clusterName] = group
        return found
    }

    /// Folds the cluster's tracked operation into what is reported; a finished operation that
    /// failed makes a new cluster `failed` and any other operation's caller get the error, once.
    /// One a newer operation took over (a delete) is no failure: the cluster is what that
    /// one makes it.
    func applyOperation(to view: inout KubernetesCluster) async throws {
        guard var tracked = clusterOperations[view.name] else { return }
        let status = try await observe(&tracked, subject: .init(resourceType: "cluster", name: view.name))
        guard status.isDone else {
            clusterOperations[view.name] = tracked
            view.statusMessage = tracked.detail
            if tracked.kind != "createCluster" && tracked.kind != "deleteCluster" && view.status == .active { view.status = .updating }
            return
        }
        clusterOperations[view.name] = nil
        guard let message = status.failureMessage else { return }
        if Self.superseded(status, deleting: view.status == .deleting) {
            if tracked.kind != "deleteCluster" { view.statusMessage = view.statusMessage ?? "\(tracked.detail) was preempted: \(message)" }
        } else if tracked.kind == "createCluster" {
            view.status = .failed
            view.statusMessage = "\(tracked.detail) failed: \(message)"
        } else {
            throw Self.operationFailed(tracked, message, of: "cluster '\(view.name)'")
        }
    }

    /// Whether an operation that ended without success gave way to a newer one: ARM says it
    /// was preempted, or the resource is being deleted (a delete takes over whatever ran).
    static func superseded(_ status: ARMOperationStatus, deleting: Bool) -> Bool {
        status.wasPreempted || deleting
    }

    /// Every cluster of the resource group (of the subscription when none is configured),
    /// sorted by name, paged by the agent.
    public func listClusters(_ page: PageRequest, region: String?) async throws -> Page<KubernetesCluster> {
        let listed = try await aks.list(resourceGroup: settings.string("resourceGroup"))
        var views: [KubernetesCluster] = []
        for cluster in listed where region == nil || cluster.location == region {
            guard let clusterName = cluster.name else { continue }
            if let group = AzureStatusMapping.resourceGroup(of: cluster.id) { clusterGroups[clusterName] = group }
            var view = AzureStatusMapping.kubernetesCluster(cluster, name: clusterName, provider: name, id: cluster.id ?? clusterName)
            try? await applyOperation(to: &view)
            views.append(view)
        }
        return try Pagination.page(of: views.sorted { ($0.name, $0.id) < ($1.name, $1.id) }, key: { "\($0.name)\u{1F}\($0.id)" }, request: page)
    }

    public func deleteCluster(name clusterName: String) async throws -> KubernetesCluster {
        var current = try await getCluster(name: clusterName)
        if current.status == .deleting { return current }
        if let operation = try await aks.delete(resourceGroup: try group(ofCluster: clusterName), clusterName) {
            clusterOperations[clusterName] = TrackedOperation(reference: operation, kind: "deleteCluster", detail: "deleting cluster")
        }
        current.status = .deleting
        current.statusMessage = "deleting cluster"
        return current
    }
}
