import CloudCore
import JSONRPC

/// `upgradeCluster`: upgrades the control plane one minor version, and the node pools with it
/// unless `nodePools` is false; upgrading to the current version answers the cluster
/// unchanged (or, with node pools, upgrades the pools still behind).
enum UpgradeCluster: RPCMethod {
    static let name = "upgradeCluster"
    typealias Result = KubernetesCluster

    struct Params: AgentParams {
        var provider: String?
        var name: String
        var version: String
        var nodePools: Bool?
        var wait: Bool?
        var timeoutSeconds: Double?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, name, version, nodePools, wait, timeoutSeconds }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        try ResourceRules.clusterName(params.name)
        try ResourceRules.version(params.version)
        let timeout = try WaitSettings.forMutation(wait: params.wait, timeoutSeconds: params.timeoutSeconds,
                                                   defaultSeconds: WaitSettings.clusterTimeout)
        let provider = try await providers.provider(named: params.provider)
        return try await WaitReporting.perform(context, timeout: timeout, describe: "upgrading cluster \(params.name) to \(params.version)") {
            try await provider.upgradeCluster(name: params.name, version: params.version, nodePools: params.nodePools)
        } waitFor: { cluster, options in
            try await provider.waitCluster(name: cluster.name, until: .ready, lastKnown: cluster, options: options)
        }
    }
}
