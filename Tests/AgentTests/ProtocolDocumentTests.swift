import Foundation
import Testing
@testable import Agent
@testable import JSONRPC

@Suite struct ProtocolDocumentTests {
    let document: JSONValue = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("protocol/openrpc.json")
        return (try? JSONParser.parse(Array((try? Data(contentsOf: url)) ?? Data()))) ?? .null
    }()

    @Test func theEmbeddedDocumentIsTheProtocolFile() {
        // Run scripts/embed-protocol after changing protocol/openrpc.json.
        #expect(document != .null)
        #expect(Discover.document == document)
    }

    @Test func everyMethodDocumentsExactlyTheParamsItAccepts() throws {
        let methods = try #require(document["methods"]?.arrayValue)
        for (name, accepted) in AgentMethods.paramNames {
            let entry = try #require(methods.first { $0["name"]?.stringValue == name }, "\(name) is not documented")
            let documented = Set((entry["params"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue })
            #expect(documented.subtracting(["progressToken"]) == accepted, "\(name)")
            let required = Set((entry["params"]?.arrayValue ?? []).filter { $0["required"] == true }.compactMap { $0["name"]?.stringValue })
            #expect(required.isSubset(of: accepted), "\(name)")
        }
    }

    @Test func everyAgentErrorCodeIsDocumented() throws {
        let errors = try #require(document["components"]?["errors"]?.objectValue)
        let documented = Set(errors.values.compactMap { $0["code"]?.numberValue?.intValue })
        let codes: [ErrorCode] = [.notFound, .conflict, .unauthenticated, .permissionDenied, .throttled, .timeout,
                                  .unsupportedOperation, .providerError, .invalidParams, .requestCancelled]
        for code in codes {
            #expect(documented.contains(code.rawValue), "\(code) is not documented")
        }
    }
}
