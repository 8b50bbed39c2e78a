import CloudCore
import Diagnostics
import Foundation
import Testing
import TestSupport
@testable import Agent
@testable import JSONRPC

/// The MCP side of the agent, in process: the handshake, the tools and their schemas, and tool
/// results and errors (the `mcp` SDK drives the real binary in Tests/MCP).
@Suite struct MCPAdapterTests {
    let state = "\(NSTemporaryDirectory())/agent-tests/\(UUID().uuidString)"
    var table: MethodTable { testTable(stateDirectory: state) }

    private func call(_ table: MethodTable, _ method: String, _ params: JSONValue?, traits: SessionTraits = SessionTraits()) async -> OutgoingMessage {
        await table.respond(id: RequestID(1), method: method, params: params,
                            context: RequestContext(id: RequestID(1), method: method, progress: .disabled, logger: Logger(label: "t"), traits: traits))
    }

    @Test func anMCPInitializeGetsMCPsAnswerAndMarksTheSession() async throws {
        let traits = SessionTraits()
        guard case .result(_, let answer) = await call(table, "initialize", ["protocolVersion": "2025-06-18", "capabilities": [:],
                                                                             "clientInfo": ["name": "c", "version": "1"]], traits: traits) else {
            Issue.record("initialize failed")
            return
        }
        #expect(answer["protocolVersion"] == "2025-06-18" && answer[path: "capabilities", "tools", "listChanged"] == false)
        #expect(answer[path: "serverInfo", "name"] == "cloud-agent" && traits.speaksMCP)
        // A newer revision with MCP's members gets the newest this agent speaks; this protocol's own stays native.
        #expect(MCPAdapter.isMCP(["protocolVersion": "2027-01-01", "capabilities": [:], "clientInfo": ["name": "c"]]))
        #expect(MCPAdapter.initializeResult(["protocolVersion": "2027-01-01"])["protocolVersion"] == "2025-11-25")
        #expect(!MCPAdapter.isMCP(["protocolVersion": .string(AgentInfo.protocolVersion), "capabilities": [:], "clientInfo": ["name": "c"]]))
        #expect(!MCPAdapter.isMCP(nil))
        let native = SessionTraits()
        guard case .result(_, let plain) = await call(table, "initialize", ["clientInfo": ["name": "x"]], traits: native) else {
            Issue.record("initialize failed")
            return
        }
        #expect(plain["protocolVersion"] == .string(AgentInfo.protocolVersion) && plain[path: "capabilities", "methods"] != nil && !native.speaksMCP)
    }

    @Test func everyCloudMethodIsAToolWithAStandaloneSchema() async throws {
        guard case .result(_, let listed) = await call(table, "tools/list", nil) else {
            Issue.record("tools/list failed")
            return
        }
        let tools = try #require(listed["tools"]?.arrayValue)
        #expect(Set(tools.compactMap { $0["name"]?.stringValue }) == MCPAdapter.toolMethods)
        for tool in tools {
            #expect(!JSONSerializer.string(tool).contains("$ref"), "\(tool["name"] ?? .null) has a $ref left")
            #expect(tool[path: "inputSchema", "type"] == "object")
            #expect(tool[path: "inputSchema", "properties", "progressToken"] == nil && tool[path: "inputSchema", "properties", "_meta"] == nil)
        }
        let create = try #require(tools.first { $0["name"] == "createCluster" })
        #expect(create[path: "inputSchema", "required"] == ["name"])
        #expect(create[path: "inputSchema", "properties", "name", "type"] == "string", "the ClusterName schema is inlined")
        #expect(create[path: "inputSchema", "properties", "wait", "description"]?.stringValue?.isEmpty == false)
    }

    @Test func aToolAnswersStructuredContentAndAFailureIsAToolError() async throws {
        let table = self.table
        guard case .result(_, let created) = await call(table, "tools/call", ["name": "createCluster", "arguments": ["name": "demo", "nodeCount": 1]]) else {
            Issue.record("tools/call failed")
            return
        }
        #expect(created["isError"] == false && created[path: "structuredContent", "name"] == "demo")
        let text = try #require(created[path: "content", 0, "text"]?.stringValue)
        #expect(try JSONParser.parse(text) == created["structuredContent"])
        guard case .result(_, let failed) = await call(table, "tools/call", ["name": "getCluster", "arguments": ["name": "nope"]]) else {
            Issue.record("a failing tool must still answer")
            return
        }
        #expect(failed["isError"] == true && failed[path: "structuredContent", "error", "code"] == -32002)
        guard case .result(_, let invalid) = await call(table, "tools/call", ["name": "createCluster", "arguments": ["name": "demo", "bogus": 1]]) else {
            Issue.record("a failing tool must still answer")
            return
        }
        #expect(invalid["isError"] == true && invalid[path: "structuredContent", "error", "data", "param"] == "bogus")
        guard case .error(_, let unknown) = await call(table, "tools/call", ["name": "configureProvider", "arguments": [:]]) else {
            Issue.record("configureProvider is not a tool")
            return
        }
        #expect(unknown.code == .invalidParams && unknown.data?["param"] == "name")
    }

    @Test func mcpProgressGrowsAndSaysWhatHappens() {
        let first = ProgressReporter.Event(kind: .begin, message: "creating", percentage: nil).mcpParams(token: 7, sequence: 1)
        #expect(first == ["progressToken": 7, "progress": 1, "message": "creating"])
        let half = ProgressReporter.Event(kind: .report, message: "half", percentage: 50).mcpParams(token: "t", sequence: 2)
        #expect(half == ["progressToken": "t", "progress": 50, "total": 100, "message": "half"])
        #expect(ProgressReporter.mcpToken(params: ["_meta": ["progressToken": 3]]) == 3)
        #expect(ProgressReporter.mcpToken(params: ["progressToken": 3]) == nil, "MCP tokens come in _meta")
    }
}
