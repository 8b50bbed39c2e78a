import CloudCore
import JSONRPC

/// `deleteCluster`: deletes a cluster and its node pools; returns its last known state.
enum DeleteCluster: RPCMethod {
    static let name = "deleteCluster"
    typealias Result = KubernetesCluster

    struct Params: AgentParams {
        var provider: String?
        var name: String
        var wait: Bool?
        var timeoutSeconds: Double?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, name, wait, timeoutSeconds }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        try ResourceRules.clusterName(params.name)
        let timeout = try WaitSettings.forMutation(wait: params.wait, timeoutSeconds: params.timeoutSeconds,
                                                   defaultSeconds: WaitSettings.clusterTimeout)
        let provider = try await providers.provider(named: params.provider)
        return try await WaitReporting.perform(context, timeout: timeout, describe: "deleting cluster \(params.name)") {
            try await provider.deleteCluster(name: params.name)
        } waitFor: { cluster, options in
            try await provider.waitCluster(name: cluster.name, until: .deleted, lastKnown: cluster, options: options)
        }
    }
}
