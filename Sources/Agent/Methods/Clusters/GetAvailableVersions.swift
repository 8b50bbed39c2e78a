import CloudCore
import JSONRPC

/// `getAvailableVersions`: Kubernetes versions for new clusters, or, with `cluster`, the
/// versions that cluster can be upgraded to next.
enum GetAvailableVersions: RPCMethod {
    static let name = "getAvailableVersions"

    struct Params: AgentParams {
        var provider: String?
        var cluster: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, cluster }
    }

    struct Result: Codable, Sendable {
        var versions: [KubernetesVersion]
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        if let cluster = params.cluster { try ResourceRules.clusterName(cluster, field: "cluster") }
        return Result(versions: try await providers.provider(named: params.provider).availableVersions(cluster: params.cluster))
    }
}
