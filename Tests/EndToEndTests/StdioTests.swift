import Testing
import TestSupport
import JSONRPC

@Suite struct StdioTests {
    @Test func initializeAnswersServerInfo() async throws {
        let agent = try AgentProcess()
        agent.connection.request(1, "initialize", ["clientInfo": ["name": "e2e"]])
        let response = try await agent.connection.response(1)
        #expect(response["result"]?["serverInfo"]?["name"] == "cloud-agent")
    }
}
