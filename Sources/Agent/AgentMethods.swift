import JSONRPC

/// The agent's method table: every method the agent answers, registered in one explicit list.
public enum AgentMethods {
    /// Builds the table shared by every session and by `cloud-agent call`.
    public static func makeTable() -> MethodTable {
        var table = MethodTable()
        table.register(Ping.self) { _, _ in EmptyObject() }
        table.register(DebugSleep.self) { params, context in try await DebugSleep.run(params, context: context) }
        table.register(DebugEcho.name) { params, _ in try DebugEcho.run(params) }
        let requestMethods = (table.methodNames + [Initialize.name] + Session.builtInRequests).sorted()
        table.register(Initialize.self) { _, _ in
            Initialize.Result(
                serverInfo: .init(name: AgentInfo.name, version: AgentInfo.version),
                protocolVersion: AgentInfo.protocolVersion,
                capabilities: .init(methods: requestMethods,
                                    notifications: Session.builtInNotifications.sorted(),
                                    transports: AgentInfo.transports))
        }
        return table
    }
}
