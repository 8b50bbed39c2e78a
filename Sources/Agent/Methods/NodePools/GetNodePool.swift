import CloudCore
import JSONRPC

/// `getNodePool`: one node pool of a cluster.
enum GetNodePool: RPCMethod {
    static let name = "getNodePool"
    typealias Result = NodePool

    struct Params: AgentParams {
        var provider: String?
        var cluster: String
        var name: String

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, cluster, name }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        try ResourceRules.clusterName(params.cluster, field: "cluster")
        try ResourceRules.nodePoolName(params.name)
        return try await providers.provider(named: params.provider).getNodePool(cluster: params.cluster, name: params.name)
    }
}
