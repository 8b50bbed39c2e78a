import CloudCore
import JSONRPC

/// `waitInstanceReady`: returns once the instance is `running`, streaming progress.
enum WaitInstanceReady: RPCMethod {
    static let name = "waitInstanceReady"
    typealias Result = Instance

    struct Params: AgentParams {
        var provider: String?
        var id: String
        var timeoutSeconds: Double?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, id, timeoutSeconds }
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        try InstanceAction.checkID(params.id)
        let timeout = try WaitSettings.forWait(timeoutSeconds: params.timeoutSeconds, defaultSeconds: WaitSettings.instanceTimeout)
        let provider = try await providers.provider(named: params.provider)
        return try await WaitReporting.wait(context, timeout: timeout, describe: "waiting for instance \(params.id) to be running") {
            try await provider.waitInstance(id: params.id, until: .ready, lastKnown: nil, options: $0)
        }
    }
}
