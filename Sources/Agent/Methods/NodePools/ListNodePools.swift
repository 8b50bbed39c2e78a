import CloudCore
import JSONRPC

/// `listNodePools`: one page of a cluster's node pools, sorted by name.
enum ListNodePools: RPCMethod {
    static let name = "listNodePools"

    struct Params: AgentParams {
        var provider: String?
        var cluster: String
        var limit: Int?
        var pageToken: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, cluster, limit, pageToken }
    }

    struct Result: Codable, Sendable {
        var nodePools: [NodePool]
        var nextPageToken: String?
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        try ResourceRules.clusterName(params.cluster, field: "cluster")
        let page = try WaitSettings.page(limit: params.limit, pageToken: params.pageToken)
        let result = try await providers.provider(named: params.provider).listNodePools(cluster: params.cluster, page: page)
        return Result(nodePools: result.items, nextPageToken: result.nextPageToken)
    }
}
