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

    @Test func everyResultAndParamHasADescriptionAnExampleAndADefault() throws {
        let methods = try #require(document["methods"]?.arrayValue)
        let descriptors = document["components"]?["contentDescriptors"]?.objectValue ?? [:]
        for method in methods {
            let name = try #require(method["name"]?.stringValue)
            if let result = method["result"], result != .null {
                let description = result["description"]?.stringValue ?? ""
                #expect(!description.isEmpty, "\(name): the result has no description")
            }
            let exampleParams = Set((method["examples"]?.arrayValue ?? []).flatMap { example in
                (example["params"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            })
            for entry in method["params"]?.arrayValue ?? [] {
                var param = entry
                if let reference = entry["$ref"]?.stringValue {
                    let prefix = "#/components/contentDescriptors/"
                    #expect(reference.hasPrefix(prefix), "\(name): param $ref \(reference) is not a content descriptor")
                    param = try #require(descriptors[String(reference.dropFirst(prefix.count))], "\(name): unresolved param $ref \(reference)")
                }
                let paramName = try #require(param["name"]?.stringValue, "\(name): a param has no name")
                if paramName == "progressToken" || paramName == "_meta" { continue }
                let schema = param["schema"]
                let description = [param["description"]?.stringValue, schema?["description"]?.stringValue]
                    .compactMap { $0 }.joined(separator: " ")
                #expect(!description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                        "\(name).\(paramName): no description (param or schema)")
                let schemaExamples = schema?["examples"]?.arrayValue ?? []
                #expect(!schemaExamples.isEmpty || exampleParams.contains(paramName),
                        "\(name).\(paramName): no example (schema `examples`, or a value in one of the method's examples)")
                if param["required"] != true {
                    let saysDefault = ["Default", "default", "Omitted", "omitted"].contains { description.contains($0) }
                    #expect(schema?["default"] != nil || saysDefault,
                            "\(name).\(paramName): optional without a schema `default` or a description of what omitting it means")
                }
            }
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
