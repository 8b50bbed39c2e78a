import CloudCore
import JSONRPC

/// `getCluster`: one cluster as the cloud reports it now.
enum GetCluster: RPCMethod {
    static let name = "getCluster"
    typealias Result = KubernetesCluster

    struct Params: AgentParams {
        var provider: String?
        var name: String

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, name }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        try ResourceRules.clusterName(params.name)
        return try await providers.provider(named: params.provider).getCluster(name: params.name)
    }
}
