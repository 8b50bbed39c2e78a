import CloudCore
import JSONRPC

/// `createNodePool`: adds a node pool to an active cluster.
enum CreateNodePool: RPCMethod {
    static let name = "createNodePool"
    typealias Result = NodePool

    struct Params: AgentParams {
        var provider: String?
        var cluster: String
        var name: String
        var nodeCount: Int?
        var nodeType: String?
        var version: String?
        var wait: Bool?
        var timeoutSeconds: Double?

        enum CodingKeys: String, CodingKey, CaseIterable {
            case provider, cluster, name, nodeCount, nodeType, version, wait, timeoutSeconds
        }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        let request = CreateNodePoolRequest(cluster: params.cluster, name: params.name,
                                            nodeCount: params.nodeCount ?? CreateClusterRequest.defaultNodeCount,
                                            nodeType: params.nodeType, version: params.version)
        try request.validate()
        let timeout = try WaitSettings.forMutation(wait: params.wait, timeoutSeconds: params.timeoutSeconds,
                                                   defaultSeconds: WaitSettings.nodePoolTimeout)
        let provider = try await providers.provider(named: params.provider)
        return try await WaitReporting.perform(context, timeout: timeout, describe: "creating node pool \(params.cluster)/\(params.name)") {
            try await provider.createNodePool(request)
        } waitFor: { pool, options in
            try await provider.waitNodePool(cluster: pool.cluster, name: pool.name, until: .ready, lastKnown: pool, options: options)
        }
    }
}
