import CloudCore
import JSONRPC

/// `getInstance`: one instance by the `id` that `createInstance` and `listInstances` return.
enum GetInstance: RPCMethod {
    static let name = "getInstance"
    typealias Result = Instance

    struct Params: AgentParams {
        var provider: String?
        var id: String

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, id }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        try InstanceAction.checkID(params.id)
        return try await providers.provider(named: params.provider).getInstance(id: params.id)
    }
}
