import CloudCore
import JSONRPC

/// `scaleNodePool`: sets a node pool's node count; the same count answers the pool unchanged.
enum ScaleNodePool: RPCMethod {
    static let name = "scaleNodePool"
    typealias Result = NodePool

    struct Params: AgentParams {
        var provider: String?
        var cluster: String
        var name: String
        var nodeCount: Int
        var wait: Bool?
        var timeoutSeconds: Double?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, cluster, name, nodeCount, wait, timeoutSeconds }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        try ResourceRules.clusterName(params.cluster, field: "cluster")
        try ResourceRules.nodePoolName(params.name)
        try ResourceRules.nodeCount(params.nodeCount)
        let timeout = try WaitSettings.forMutation(wait: params.wait, timeoutSeconds: params.timeoutSeconds,
                                                   defaultSeconds: WaitSettings.nodePoolTimeout)
        let provider = try await providers.provider(named: params.provider)
        return try await WaitReporting.perform(context, timeout: timeout,
                                               describe: "scaling node pool \(params.cluster)/\(params.name) to \(params.nodeCount) nodes") {
            try await provider.scaleNodePool(cluster: params.cluster, name: params.name, nodeCount: params.nodeCount)
        } waitFor: { pool, options in
            try await provider.waitNodePool(cluster: pool.cluster, name: pool.name, until: .ready, lastKnown: pool, options: options)
        }
    }
}
