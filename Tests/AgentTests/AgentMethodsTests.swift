import Diagnostics
import Foundation
import Testing
@testable import Agent
@testable import JSONRPC

@Suite struct AgentMethodsTests {
    let table = AgentMethods.makeTable(providers: ProviderRegistry(
        configuration: AgentConfiguration(), paths: AgentPaths.resolve(explicitConfig: nil, environment: ["HOME": "/nonexistent"]),
        logger: Logger(label: "t")))

    private func call(_ method: String, _ params: JSONValue? = nil) async -> OutgoingMessage {
        await table.respond(id: RequestID(1), method: method, params: params,
                            context: RequestContext(id: RequestID(1), method: method, progress: .disabled, logger: Logger(label: "t")))
    }

    @Test func methodTableHasNoDuplicates() {
        #expect(table.duplicateNames.isEmpty)
    }

    @Test func initializeListsEveryMethodTheAgentAnswers() async throws {
        guard case .result(_, let result) = await call("initialize", ["clientInfo": ["name": "test"]]) else {
            Issue.record("initialize failed")
            return
        }
        let decoded = try result.decode(as: Initialize.Result.self)
        #expect(decoded.serverInfo == .init(name: "cloud-agent", version: AgentInfo.version))
        #expect(decoded.protocolVersion == AgentInfo.protocolVersion)
        #expect(decoded.capabilities.methods == (table.methodNames + Session.builtInRequests).sorted())
        #expect(decoded.capabilities.notifications == ["$/cancelRequest", "exit"])
        #expect(decoded.capabilities.transports == ["stdio", "unix"])
    }

    @Test func protocolDocumentDescribesExactlyTheseMethods() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("protocol/openrpc.json")
        let document = try JSONParser.parse(Array(try Data(contentsOf: url)))
        let documented = Set(try #require(document["methods"]?.arrayValue).compactMap { $0["name"]?.stringValue })
        let served = Set(table.methodNames + Session.builtInRequests + Session.builtInNotifications)
        #expect(documented == served)
    }

    @Test func pingAnswersAnEmptyObject() async {
        #expect(await call("ping") == .result(id: RequestID(1), result: .object([:])))
    }

    @Test func echoReturnsParamsExactly() async {
        let params: JSONValue = ["a": [1, "ü", .null], "progressToken": "x"]
        #expect(await call("debug.echo", params) == .result(id: RequestID(1), result: params))
        #expect(await call("debug.echo") == .result(id: RequestID(1), result: .object([:])))
    }

    @Test func sleepValidatesItsRange() async {
        guard case .error(_, let error) = await call("debug.sleep", ["seconds": -1]) else {
            Issue.record("expected an error")
            return
        }
        #expect(error.code == .invalidParams)
        #expect(error.data?["param"] == "seconds")
        guard case .error(_, let steps) = await call("debug.sleep", ["seconds": 0, "steps": 0]) else {
            Issue.record("expected an error")
            return
        }
        #expect(steps.data?["param"] == "steps")
        #expect(await call("debug.sleep", ["seconds": 0]) == .result(id: RequestID(1), result: ["slept": 0]))
    }
}
