import CloudCore
import Diagnostics
import Foundation

/// One configured AWS account and region: EKS clusters and managed node groups, EC2 instances.
///
/// Requests are signed with the agent's own SigV4 and the AWS SDKs' credential chain. EKS has
/// no single call for "a cluster with nodes" or "delete a cluster and its node groups", so this
/// actor orchestrates them (a background step per cluster) and reports the phase it is in:
/// a new cluster shows `creating` / "creating node group default" until its first node group
/// is active; a cluster being deleted shows `deleting` / "deleting node groups" until EKS
/// takes over.
public actor AWSCloudProvider: CloudProvider {
    public nonisolated let name: String
    public nonisolated let kind = ProviderKind.aws
    public nonisolated let waiters = ResourceWaiters()
    public nonisolated let pollPolicy: PollPolicy
    let region: String
    let settings: ProviderConfiguration
    let eks: EKSClient
    let ec2: EC2Client
    let credentials: AWSCredentialChain
    /// How the kubeconfigs' credential plugin runs this agent.
    let invocation: AgentInvocation
    /// The cluster steps promised and not yet taken (see `ClusterStepJournal`).
    nonisolated let journal: ClusterStepJournal
    let logger: Logger

    /// The cluster steps this agent is taking in the background (see `EKSIntent`).
    var steps: [ClusterStep: Task<Void, Never>] = [:]
    /// Why a step last failed, by step, for the cluster's status message.
    var stepFailures: [ClusterStep: String] = [:]
    /// Clusters whose initial node group could not be created at all, and why.
    var initialNodegroupFailures: [String: String] = [:]
    /// Version updates in flight, by cluster: the update id and the target version.
    var updates: [String: (id: String, version: String)] = [:]
    /// Node group upgrades this agent is running after a control plane upgrade.
    var nodegroupUpgrades = NodePoolUpgrades(noun: "node groups")

    /// The initial node group's name, as GKE and AKS name theirs.
    static let initialNodegroupName = "default"
    static let defaultNodeType = "m6i.large"

    /// - Parameters:
    ///   - environment: the process environment (credentials chain, endpoint variables).
    ///   - invocation: how the kubeconfigs' credential plugin runs this agent.
    ///   - stateDirectory: where the step journal is kept (`…/aws/NAME.json`); nil keeps it in memory.
    ///   - transport: how requests go out (tests inject their own).
    public init(configuration: ProviderConfiguration, environment: [String: String], logger: Logger,
                invocation: AgentInvocation = AgentInvocation(), stateDirectory: String? = nil,
                transport: any HTTPTransport = CurlTransport(),
                metadataTransport: any HTTPTransport = CurlTransport(requestTimeout: 2)) {
        name = configuration.name
        settings = configuration
        region = configuration.region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        let endpoints = AWSEndpoints.from(settings: configuration, region: region, environment: environment)
        let quick = (endpoints.services["eks"] ?? endpoints.override).map { EndpointPolicy.isLoopback($0.host ?? "") } ?? false
        // Against a loopback test server, poll fast; against AWS, as its own waiters do.
        pollPolicy = quick ? PollPolicy(initial: .milliseconds(100), maximum: .seconds(1)) : .cloud
        let retry = quick ? RetryPolicy(maxAttempts: 3, base: .milliseconds(50)) : RetryPolicy()
        let providerLogger = logger.child("provider \(configuration.name)")
        let sts = STSClient(transport: transport, endpoints: endpoints, retry: retry, logger: providerLogger)
        credentials = AWSCredentialChain(
            settings: .init(accessKeyId: configuration.string("accessKeyId"), secretAccessKey: configuration.string("secretAccessKey"),
                            sessionToken: configuration.string("sessionToken"), profile: configuration.string("profile"),
                            roleArn: configuration.string("roleArn"), externalId: configuration.string("externalId")),
            environment: environment, metadataTransport: metadataTransport, sts: sts, logger: providerLogger)
        let client = AWSClient(transport: transport, credentials: credentials, endpoints: endpoints, retry: retry, logger: providerLogger)
        eks = EKSClient(client: client)
        ec2 = EC2Client(client: client)
        self.invocation = invocation
        journal = ClusterStepJournal(path: stateDirectory.map { "\($0)/aws/\(configuration.name).json" }, logger: providerLogger)
        self.logger = providerLogger
    }

    func requiredSetting(_ key: String, for purpose: String) throws(CloudProviderError) -> String {
        guard let value = settings.string(key) else {
            throw .invalidRequest(field: key, reason: "is a setting the aws provider '\(name)' needs \(purpose); add it with configureProvider or the config file")
        }
        return value
    }

    // MARK: - Clusters

    public func createCluster(_ request: CreateClusterRequest) async throws -> KubernetesCluster {
        try request.validate()
        let roleArn = try requiredSetting("eksRoleArn", for: "to create EKS clusters (the control plane's IAM role)")
        guard request.subnets.count >= 2 else {
            throw CloudProviderError.invalidRequest(field: "subnets", reason: "EKS needs at least two subnets in different availability zones")
        }
        if request.network != nil {
            throw CloudProviderError.invalidRequest(field: "network", reason: "is not an EKS setting: the subnets decide the VPC")
        }
        if request.region != nil, request.region != region {
            throw CloudProviderError.invalidRequest(field: "region", reason: "this aws provider works in \(region); configure another provider for \(request.region!)")
        }
        if request.nodeCount > 0 {
            _ = try requiredSetting("nodeRoleArn", for: "to create the cluster's node group (the nodes' IAM role); or pass nodeCount 0")
            // Promised before the cluster exists, so no crash can leave it without its nodes.
            journal.put(.init(kind: .createInitialNodegroup, cluster: request.name, region: region, nodeCount: request.nodeCount,
                              nodeType: request.nodeType ?? Self.defaultNodeType))
        }
        let cluster: EKSCluster
        do {
            cluster = try await eks.createCluster(EKSCreateClusterBody(
                name: request.name, version: request.version, roleArn: roleArn,
                resourcesVpcConfig: Self.vpcConfig(request),
                tags: request.tags.isEmpty ? nil : request.tags, clientRequestToken: request.clientToken ?? UUID().uuidString))
        } catch {
            if request.nodeCount > 0 { journal.remove(.createInitialNodegroup, cluster: request.name, region: region) }
            throw error
        }
        var result = view(cluster, nodePools: [])
        if request.nodeCount > 0 {
            startStep(.createInitialNodegroup, cluster: request.name)
            if result.status == .active {
                result.status = .creating
                result.statusMessage = "creating node group \(Self.initialNodegroupName)"
            }
        }
        return result
    }

    /// The cluster's network: its subnets and security groups, and who reaches its API endpoint.
    static func vpcConfig(_ request: CreateClusterRequest) -> EKSCreateClusterBody.VPCConfig {
        let access = request.endpointAccess ?? .public
        return .init(subnetIds: request.subnets, securityGroupIds: request.securityGroups.isEmpty ? nil : request.securityGroups,
                     endpointPublicAccess: access != .private, endpointPrivateAccess: access != .public,
                     publicAccessCidrs: request.publicAccessCidrs.isEmpty ? nil : request.publicAccessCidrs)
    }

    public func getCluster(name: String) async throws -> KubernetesCluster {
        var result = try await readCluster(name: name)
        try nodegroupUpgrades.apply(to: &result, controlPlaneBusy: updates[name] != nil)
        return result
    }

    /// The cluster as EKS and this agent's steps and control plane update see it.
    private func readCluster(name: String) async throws -> KubernetesCluster {
        let cluster: EKSCluster
        do {
            cluster = try await eks.describeCluster(name)
        } catch CloudProviderError.notFound(let type, let missing) {
            journal.remove(cluster: name, region: region)  // Gone: nothing left to do for it.
            throw CloudProviderError.notFound(resourceType: type, name: missing)
        }
        let pools = try await nodePools(of: name)
        var result = view(cluster, nodePools: pools)
        applySteps(of: cluster, pools: pools, to: &result)
        if let update = updates[name], result.status == .active || result.status == .updating {
            let tracked = try await eks.describeUpdate(name, updateID: update.id)
            switch tracked.status {
            case "InProgress":
                result.status = .updating
                result.statusMessage = "upgrading control plane to \(update.version)"
            case "Failed", "Cancelled":
                updates[name] = nil
                let detail = tracked.errors?.map { [$0.errorCode, $0.errorMessage].compactMap { $0 }.joined(separator: ": ") }.joined(separator: "; ")
                throw CloudProviderError.providerError(ProviderFailure(
                    code: tracked.errors?.first?.errorCode ?? "UpdateFailed",
                    message: "the upgrade of cluster '\(name)' to \(update.version) \(tracked.status.lowercased())" + (detail.map { ": \($0)" } ?? "")))
            default:
                updates[name] = nil
            }
        }
        return result
    }

    public func listClusters(_ page: PageRequest, region asked: String?) async throws -> Page<KubernetesCluster> {
        if let asked, asked != region {
            throw CloudProviderError.invalidRequest(field: "region", reason: "this aws provider works in \(region); configure another provider for \(asked)")
        }
        let listed = try await eks.listClusters(maxResults: min(100, page.limit), nextToken: page.pageToken)
        var clusters: [KubernetesCluster] = []
        for name in listed.clusters {
            do {
                var cluster = try await readCluster(name: name)
                nodegroupUpgrades.overlay(on: &cluster, controlPlaneBusy: updates[name] != nil)
                clusters.append(cluster)
            } catch CloudProviderError.notFound {
                continue  // Deleted between the list and the describe.
            }
        }
        return Page(items: clusters, nextPageToken: listed.nextToken)
    }

    public func deleteCluster(name: String) async throws -> KubernetesCluster {
        let current = try await getCluster(name: name)
        if current.status == .deleting { return current }
        steps[ClusterStep(kind: .createInitialNodegroup, cluster: name)]?.cancel()
        initialNodegroupFailures[name] = nil
        nodegroupUpgrades.cancel(name)
        let groups = try await allNodegroupNames(cluster: name)
        if groups.isEmpty {
            journal.remove(cluster: name, region: region)
            return view(try await eks.deleteCluster(name), nodePools: [])
        }
        // Written before the node groups go, so the agent that next looks deletes the cluster.
        journal.remove(.createInitialNodegroup, cluster: name, region: region)
        journal.put(.init(kind: .deleteAfterNodegroups, cluster: name, region: region))
        for group in groups {
            do {
                _ = try await eks.deleteNodegroup(cluster: name, name: group)
            } catch CloudProviderError.notFound {
                continue
            } catch CloudProviderError.conflict {
                continue  // Already being deleted.
            }
        }
        startStep(.deleteAfterNodegroups, cluster: name)
        var result = current
        result.status = .deleting
        result.statusMessage = "deleting node groups"
        return result
    }

    public func getKubeconfig(cluster name: String, options: KubeconfigOptions) async throws -> String {
        let authMode = try options.authMode(among: EKSKubeconfig.AuthMode.allCases.map(\.rawValue), provider: "aws")
            .flatMap(EKSKubeconfig.AuthMode.init(rawValue:)) ?? .agent
        let cluster = try await eks.describeCluster(name)
        guard let endpoint = cluster.endpoint, let ca = cluster.certificateAuthority?.data, !ca.isEmpty,
              EKSStatusMapping.cluster(cluster.status) == .active || EKSStatusMapping.cluster(cluster.status) == .updating else {
            throw CloudProviderError.conflict(resourceType: "cluster", name: name,
                                              reason: "is \(cluster.status ?? "unknown") and has no API endpoint yet; wait for it with waitClusterReady")
        }
        let exec: ExecKubeconfig.Plugin
        switch authMode {
        case .awsCLI:
            exec = EKSKubeconfig.Exec.awsCLI(cluster: name, region: region, profile: settings.string("profile"), roleArn: settings.string("roleArn"))
        case .agent:
            var plugin = EKSTokenCommand.Options(cluster: name, region: region, roleArn: settings.string("roleArn"),
                                                 profile: settings.string("profile"),
                                                 endpointURL: settings.string("stsEndpointURL") ?? settings.string("endpointURL"))
            plugin.externalId = settings.string("externalId")
            if settings.string("accessKeyId") != nil {
                // The plugin reads the keys from the config file; they are never written out.
                if let configFile = invocation.configFile {
                    plugin.provider = self.name
                    plugin.configFile = configFile
                } else {
                    logger.warning("cluster \(name): provider '\(self.name)' has its own keys but was added with configureProvider, not the config file; the kubeconfig's credential plugin uses the default credential chain (environment, profile, instance role)")
                }
            }
            exec = EKSKubeconfig.Exec.agent(invocation.executable, plugin)
        }
        return EKSKubeconfig.render(cluster: name, arn: cluster.arn ?? name, endpoint: endpoint, caData: ca, exec: exec)
    }

    // MARK: - Node pools

    public func createNodePool(_ request: CreateNodePoolRequest) async throws -> NodePool {
        try request.validate()
        let nodeRole = try requiredSetting("nodeRoleArn", for: "to create EKS node groups (the nodes' IAM role)")
        let cluster = try await eks.describeCluster(request.cluster)
        let group = try await eks.createNodegroup(cluster: request.cluster, EKSCreateNodegroupBody(
            nodegroupName: request.name,
            scalingConfig: .init(minSize: request.nodeCount, maxSize: max(1, request.nodeCount), desiredSize: request.nodeCount),
            subnets: cluster.resourcesVpcConfig?.subnetIds ?? [], instanceTypes: [request.nodeType ?? Self.defaultNodeType],
            nodeRole: nodeRole, version: request.version, tags: nil, clientRequestToken: UUID().uuidString))
        return EKSStatusMapping.nodePool(group, cluster: request.cluster)
    }

    public func getNodePool(cluster: String, name: String) async throws -> NodePool {
        EKSStatusMapping.nodePool(try await eks.describeNodegroup(cluster: cluster, name: name), cluster: cluster)
    }

    public func listNodePools(cluster: String, page: PageRequest) async throws -> Page<NodePool> {
        let listed = try await eks.listNodegroups(cluster: cluster, maxResults: min(100, page.limit), nextToken: page.pageToken)
        var pools: [NodePool] = []
        for name in listed.nodegroups {
            do {
                pools.append(try await getNodePool(cluster: cluster, name: name))
            } catch CloudProviderError.notFound {
                continue
            }
        }
        return Page(items: pools, nextPageToken: listed.nextToken)
    }

    public func scaleNodePool(cluster: String, name: String, nodeCount: Int) async throws -> NodePool {
        let group = try await eks.describeNodegroup(cluster: cluster, name: name)
        let scaling = group.scalingConfig ?? .init()
        if scaling.desiredSize == nodeCount { return EKSStatusMapping.nodePool(group, cluster: cluster) }
        // Keep the bounds around the new size (EKS needs min ≤ desired ≤ max and max ≥ 1).
        let wanted = EKSNodegroup.ScalingConfig(minSize: min(scaling.minSize ?? nodeCount, nodeCount),
                                                maxSize: max(scaling.maxSize ?? nodeCount, nodeCount, 1), desiredSize: nodeCount)
        _ = try await eks.updateNodegroupScaling(cluster: cluster, name: name, scaling: wanted, token: UUID().uuidString)
        var pool = EKSStatusMapping.nodePool(try await eks.describeNodegroup(cluster: cluster, name: name), cluster: cluster)
        if pool.status == .active, pool.nodeCount != nodeCount {
            pool.status = .updating
            pool.statusMessage = "scaling to \(nodeCount) nodes"
        }
        return pool
    }

    public func deleteNodePool(cluster: String, name: String) async throws -> NodePool {
        EKSStatusMapping.nodePool(try await eks.deleteNodegroup(cluster: cluster, name: name), cluster: cluster)
    }

    // MARK: - Instances (EC2)

    /// The instance type when none is asked for: small, burstable, current generation.
    static let defaultInstanceType = "t3.micro"

    public func createInstance(_ request: CreateInstanceRequest) async throws -> Instance {
        try request.validate()
        guard let image = request.image else {
            throw CloudProviderError.invalidRequest(field: "image", reason: "EC2 needs an AMI id (ami-…) for the instance")
        }
        // A root volume of another size needs the AMI's root device name.
        var rootVolume: (device: String, sizeGb: Int)?
        if let size = request.diskSizeGb { rootVolume = (try await ec2.rootDeviceName(imageId: image), size) }
        var keyName = request.keyName
        if let key = request.sshPublicKey { keyName = try await ec2.importKeyPair(publicKey: key) }
        var tags = request.tags
        tags["Name"] = request.name
        let launched = try await ec2.runInstance(imageId: image, instanceType: request.instanceType ?? Self.defaultInstanceType,
                                                 subnetId: request.subnet, securityGroupIds: request.securityGroups,
                                                 availabilityZone: request.zone, keyName: keyName,
                                                 userData: request.userData, tags: tags, clientToken: request.clientToken ?? UUID().uuidString,
                                                 rootVolume: rootVolume, associatePublicIP: request.publicIP)
        return launched.instance(provider: name)
    }

    public func getInstance(id: String) async throws -> Instance {
        guard let found = try await ec2.describeInstances(ids: [id]).instances.first else {
            throw CloudProviderError.notFound(resourceType: "instance", name: id)
        }
        return found.instance(provider: name)
    }

    public func listInstances(_ page: PageRequest, filter: InstanceFilter) async throws -> Page<Instance> {
        try filter.validate()
        guard let filters = EC2Filters.of(filter) else { return Page(items: []) }
        // EC2 pages hold 5 to 1000 instances.
        let listed = try await ec2.describeInstances(filters: filters, maxResults: max(5, min(1000, page.limit)),
                                                     nextToken: page.pageToken)
        return Page(items: listed.instances.map { $0.instance(provider: name) }, nextPageToken: listed.nextToken)
    }

    public func startInstance(id: String) async throws -> Instance {
        let current = try await getInstance(id: id)
        switch current.state {
        case .running, .creating: return current
        case .deleting, .deleted:
            throw CloudProviderError.conflict(resourceType: "instance", name: id, reason: "is \(current.providerState); a terminated instance cannot be started")
        default: break
        }
        return try await afterChange(id, try await ec2.startInstance(id))
    }

    /// Stopping always releases the instance's compute here: `deallocate` changes nothing.
    public func stopInstance(id: String, deallocate: Bool?) async throws -> Instance {
        let current = try await getInstance(id: id)
        if current.state == .stopped || current.state == .stopping { return current }
        return try await afterChange(id, try await ec2.stopInstance(id))
    }

    public func terminateInstance(id: String) async throws -> Instance {
        let current = try await getInstance(id: id)
        if current.state == .deleted || current.state == .deleting { return current }
        return try await afterChange(id, try await ec2.terminateInstance(id))
    }

    /// The instance as EC2 describes it after a state change (the change's state if it lags).
    private func afterChange(_ id: String, _ change: EC2StateChange) async throws -> Instance {
        var instance = try await getInstance(id: id)
        if instance.providerState == change.previousState {
            instance.providerState = change.currentState
            instance.state = EC2Instance.status(change.currentState)
        }
        return instance
    }

    // MARK: - Helpers

    func nodePools(of cluster: String) async throws -> [NodePool] {
        var pools: [NodePool] = []
        for name in try await allNodegroupNames(cluster: cluster) {
            if let pool = try? await getNodePool(cluster: cluster, name: name) { pools.append(pool) }
        }
        return pools.sorted { $0.name < $1.name }
    }

    func allNodegroupNames(cluster: String) async throws -> [String] {
        var names: [String] = []
        var token: String?
        repeat {
            let page = try await eks.listNodegroups(cluster: cluster, maxResults: 100, nextToken: token)
            names += page.nodegroups
            token = page.nextToken
        } while token != nil
        return names
    }

    func view(_ cluster: EKSCluster, nodePools: [NodePool]) -> KubernetesCluster {
        EKSStatusMapping.kubernetesCluster(cluster, nodePools: nodePools, provider: name, region: region)
    }
}
