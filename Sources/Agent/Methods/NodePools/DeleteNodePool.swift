import CloudCore
import JSONRPC

/// `deleteNodePool`: deletes a node pool; returns its last known state.
enum DeleteNodePool: RPCMethod {
    static let name = "deleteNodePool"
    typealias Result = NodePool

    struct Params: AgentParams {
        var provider: String?
        var cluster: String
        var name: String
        var wait: Bool?
        var timeoutSeconds: Double?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, cluster, name, wait, timeoutSeconds }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        try ResourceRules.clusterName(params.cluster, field: "cluster")
        try ResourceRules.nodePoolName(params.name)
        let timeout = try WaitSettings.forMutation(wait: params.wait, timeoutSeconds: params.timeoutSeconds,
                                                   defaultSeconds: WaitSettings.nodePoolTimeout)
        let provider = try await providers.provider(named: params.provider)
        return try await WaitReporting.perform(context, timeout: timeout, describe: "deleting node pool \(params.cluster)/\(params.name)") {
            try await provider.deleteNodePool(cluster: params.cluster, name: params.name)
        } waitFor: { pool, options in
            try await provider.waitNodePool(cluster: pool.cluster, name: pool.name, until: .deleted, lastKnown: pool, options: options)
        }
    }
}
