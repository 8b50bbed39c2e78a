import CloudCore
import JSONRPC

/// `listInstances`: one page of the provider's instances, sorted by name (terminated ones
/// stay listed for a while, as on EC2).
enum ListInstances: RPCMethod {
    static let name = "listInstances"

    struct Params: AgentParams {
        var provider: String?
        var limit: Int?
        var pageToken: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, limit, pageToken }
    }

    struct Result: Codable, Sendable {
        var instances: [Instance]
        var nextPageToken: String?
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        let page = try WaitSettings.page(limit: params.limit, pageToken: params.pageToken)
        let result = try await providers.provider(named: params.provider).listInstances(page)
        return Result(instances: result.items, nextPageToken: result.nextPageToken)
    }
}
