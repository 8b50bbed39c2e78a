import CloudCore
import JSONRPC

/// The agent's method table: every method the agent answers, registered in one explicit list.
public enum AgentMethods {
    /// Builds the table shared by every session and by `cloud-agent call`.
    public static func makeTable(providers: ProviderRegistry) -> MethodTable {
        var table = MethodTable { error in (error as? CloudProviderError)?.rpcError }
        table.register(Ping.self) { _, _ in EmptyObject() }
        table.register(DebugSleep.self) { params, context in try await DebugSleep.run(params, context: context) }
        table.register(DebugEcho.name) { params, _ in try DebugEcho.run(params) }
        table.register(DebugStats.name) { _, _ in try await DebugStats.run(providers) }
        table.register(Discover.name) { _, _ in Discover.document }

        table.register(ListProviders.self) { _, _ in await ListProviders.run(providers) }
        table.register(ConfigureProvider.name) { params, _ in try await ConfigureProvider.run(params, providers) }

        table.register(CreateCluster.self) { try await CreateCluster.run($0, $1, providers) }
        table.register(GetCluster.self) { try await GetCluster.run($0, $1, providers) }
        table.register(ListClusters.self) { try await ListClusters.run($0, $1, providers) }
        table.register(DeleteCluster.self) { try await DeleteCluster.run($0, $1, providers) }
        table.register(WaitClusterReady.self) { try await WaitClusterReady.run($0, $1, providers) }
        table.register(GetKubeconfig.self) { try await GetKubeconfig.run($0, $1, providers) }
        table.register(UpgradeCluster.self) { try await UpgradeCluster.run($0, $1, providers) }
        table.register(GetAvailableVersions.self) { try await GetAvailableVersions.run($0, $1, providers) }

        table.register(CreateNodePool.self) { try await CreateNodePool.run($0, $1, providers) }
        table.register(GetNodePool.self) { try await GetNodePool.run($0, $1, providers) }
        table.register(ListNodePools.self) { try await ListNodePools.run($0, $1, providers) }
        table.register(ScaleNodePool.self) { try await ScaleNodePool.run($0, $1, providers) }
        table.register(DeleteNodePool.self) { try await DeleteNodePool.run($0, $1, providers) }

        table.register(CreateInstance.self) { try await CreateInstance.run($0, $1, providers) }
        table.register(GetInstance.self) { try await GetInstance.run($0, $1, providers) }
        table.register(ListInstances.self) { try await ListInstances.run($0, $1, providers) }
        table.register(StartInstance.self) { try await StartInstance.run($0, $1, providers) }
        table.register(StopInstance.self) { try await StopInstance.run($0, $1, providers) }
        table.register(TerminateInstance.self) { try await TerminateInstance.run($0, $1, providers) }
        table.register(WaitInstanceReady.self) { try await WaitInstanceReady.run($0, $1, providers) }

        MCPAdapter.register(in: &table)
        let requestMethods = (table.methodNames + [Initialize.name] + Session.builtInRequests).sorted()
        let native = Initialize.Result(
            serverInfo: .init(name: AgentInfo.name, version: AgentInfo.version),
            protocolVersion: AgentInfo.protocolVersion,
            capabilities: .init(methods: requestMethods,
                                notifications: Session.builtInNotifications.sorted(),
                                transports: AgentInfo.transports))
        let nativeJSON = (try? JSONValue(encoding: native)) ?? .object([:])
        table.register(Initialize.name) { params, context in
            // An MCP client gets MCP's answer, and MCP's progress notifications from now on.
            if MCPAdapter.isMCP(params) {
                context.traits.speaksMCP = true
                return MCPAdapter.initializeResult(params)
            }
            _ = try ParamsDecoder.decode(Initialize.Params.self, from: params)
            return nativeJSON
        }
        return table
    }

    /// The params each typed cloud method accepts, by method name (for tests against the
    /// protocol document).
    static let paramNames: [String: Set<String>] = [
        CreateCluster.name: CreateCluster.Params.paramNames, GetCluster.name: GetCluster.Params.paramNames,
        ListClusters.name: ListClusters.Params.paramNames, DeleteCluster.name: DeleteCluster.Params.paramNames,
        WaitClusterReady.name: WaitClusterReady.Params.paramNames, GetKubeconfig.name: GetKubeconfig.Params.paramNames,
        UpgradeCluster.name: UpgradeCluster.Params.paramNames, GetAvailableVersions.name: GetAvailableVersions.Params.paramNames,
        CreateNodePool.name: CreateNodePool.Params.paramNames, GetNodePool.name: GetNodePool.Params.paramNames,
        ListNodePools.name: ListNodePools.Params.paramNames, ScaleNodePool.name: ScaleNodePool.Params.paramNames,
        DeleteNodePool.name: DeleteNodePool.Params.paramNames, CreateInstance.name: CreateInstance.Params.paramNames,
        GetInstance.name: GetInstance.Params.paramNames, ListInstances.name: ListInstances.Params.paramNames,
        StartInstance.name: StartInstance.Params.paramNames, StopInstance.name: StopInstance.Params.paramNames,
        TerminateInstance.name: TerminateInstance.Params.paramNames, WaitInstanceReady.name: WaitInstanceReady.Params.paramNames,
    ]
}
