import CloudCore
import JSONRPC

/// `listClusters`: one page of the provider's clusters (of one region when asked), sorted by name.
enum ListClusters: RPCMethod {
    static let name = "listClusters"

    struct Params: AgentParams {
        var provider: String?
        var region: String?
        var limit: Int?
        var pageToken: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, region, limit, pageToken }
    }

    struct Result: Codable, Sendable {
        var clusters: [KubernetesCluster]
        var nextPageToken: String?
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        let page = try WaitSettings.page(limit: params.limit, pageToken: params.pageToken)
        if let region = params.region { try ResourceRules.region(region) }
        let result = try await providers.provider(named: params.provider).listClusters(page, region: params.region)
        return Result(clusters: result.items, nextPageToken: result.nextPageToken)
    }
}
