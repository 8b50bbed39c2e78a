import CloudCore
import Diagnostics
@testable import Agent
import JSONRPC

/// The agent's method table over one instant `local` provider whose state lives in `stateDirectory`.
func testTable(stateDirectory: String) -> MethodTable {
    AgentMethods.makeTable(providers: ProviderRegistry(
        configuration: AgentConfiguration(providers: [ProviderConfiguration(name: "local", kind: .local, settings: ["timeScale": .number(0)])]),
        paths: AgentPaths(configFile: "/nonexistent", configFileIsExplicit: false, stateDirectory: stateDirectory),
        logger: Logger(label: "t", sink: LogSink(fileDescriptor: 2, level: .off))))
}
