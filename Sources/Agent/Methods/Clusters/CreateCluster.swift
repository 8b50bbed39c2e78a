import CloudCore
import JSONRPC

/// `createCluster`: creates a managed Kubernetes cluster with an initial node pool.
enum CreateCluster: RPCMethod {
    static let name = "createCluster"
    typealias Result = KubernetesCluster

    struct Params: AgentParams {
        var provider: String?
        var name: String
        var version: String?
        var region: String?
        var nodeCount: Int?
        var nodeType: String?
        var subnets: [String]?
        var tags: [String: String]?
        var securityGroups: [String]?
        var endpointAccess: String?
        var publicAccessCidrs: [String]?
        var clientToken: String?
        var network: String?
        var wait: Bool?
        var timeoutSeconds: Double?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case provider, name, version, region, nodeCount, nodeType, subnets, tags, securityGroups, endpointAccess, publicAccessCidrs
            case clientToken, network, wait, timeoutSeconds
        }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        var request = CreateClusterRequest(
            name: params.name, version: params.version, region: params.region,
            nodeCount: params.nodeCount ?? CreateClusterRequest.defaultNodeCount, nodeType: params.nodeType,
            subnets: params.subnets ?? [], tags: params.tags ?? [:])
        request.securityGroups = params.securityGroups ?? []
        request.publicAccessCidrs = params.publicAccessCidrs ?? []
        request.clientToken = params.clientToken
        request.network = params.network
        if let access = params.endpointAccess {
            guard let parsed = ClusterEndpointAccess(rawValue: access) else {
                throw RPCError.invalidParams(param: "endpointAccess", reason: "must be \(ClusterEndpointAccess.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))")
            }
            request.endpointAccess = parsed
        }
        try request.validate()
        let timeout = try WaitSettings.forMutation(wait: params.wait, timeoutSeconds: params.timeoutSeconds,
                                                   defaultSeconds: WaitSettings.clusterTimeout)
        let provider = try await providers.provider(named: params.provider)
        return try await WaitReporting.perform(context, timeout: timeout, describe: "creating cluster \(params.name)") {
            try await provider.createCluster(request)
        } waitFor: { cluster, options in
            try await provider.waitCluster(name: cluster.name, until: .ready, lastKnown: cluster, options: options)
        }
    }
}
