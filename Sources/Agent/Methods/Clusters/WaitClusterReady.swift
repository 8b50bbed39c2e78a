import CloudCore
import JSONRPC

/// `waitClusterReady`: returns once the cluster is `active`, streaming progress.
enum WaitClusterReady: RPCMethod {
    static let name = "waitClusterReady"
    typealias Result = KubernetesCluster

    struct Params: AgentParams {
        var provider: String?
        var name: String
        var timeoutSeconds: Double?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, name, timeoutSeconds }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        try ResourceRules.clusterName(params.name)
        let timeout = try WaitSettings.forWait(timeoutSeconds: params.timeoutSeconds, defaultSeconds: WaitSettings.clusterTimeout)
        let provider = try await providers.provider(named: params.provider)
        return try await WaitReporting.wait(context, timeout: timeout, describe: "waiting for cluster \(params.name) to become active") {
            try await provider.waitCluster(name: params.name, until: .ready, lastKnown: nil, options: $0)
        }
    }
}
