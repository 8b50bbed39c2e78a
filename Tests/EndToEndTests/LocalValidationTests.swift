import JSONRPC
import Testing
import TestSupport

/// Params of the cloud methods are checked before any work: each mistake answers -32602
/// naming the param, and nothing is created.
@Suite struct LocalValidationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let method: String
        let params: JSONValue
        let param: String
        /// Text the message must contain.
        let hint: String
        var testDescription: String {
            let text = JSONSerializer.string(params)
            return "\(method) " + (text.count > 100 ? text.prefix(100) + "…" : text)
        }

        init(_ method: String, _ params: JSONValue, param: String, hint: String = "") {
            self.method = method
            self.params = params
            self.param = param
            self.hint = hint
        }
    }

    static let cases: [Case] = [
        Case("createCluster", ["name": "demo", "nodeCount": "3"], param: "nodeCount", hint: "must be an integer, not a string"),
        Case("createCluster", ["name": "demo", "nodecount": 3], param: "nodecount", hint: "did you mean 'nodeCount'?"),
        Case("createCluster", ["name": "demo", "timeoutSeconds": 60], param: "timeoutSeconds", hint: "\"wait\": true"),
        Case("createCluster", ["name": "Demo_1"], param: "name", hint: "Demo_1"),
        Case("createCluster", ["name": "demo", "wait": "yes"], param: "wait", hint: "boolean"),
        Case("createCluster", ["name": "demo", "wait": true, "timeoutSeconds": 0], param: "timeoutSeconds"),
        Case("createCluster", ["name": "demo", "wait": true, "timeoutSeconds": 90_000], param: "timeoutSeconds"),
        Case("createCluster", ["name": "demo", "nodeCount": 2.5], param: "nodeCount", hint: "integer"),
        Case("listClusters", ["limit": 1e30], param: "limit"),
        Case("createCluster", ["name": "demo", "nodeCount": 1001], param: "nodeCount"),
        Case("createCluster", ["name": "demo", "tags": ["k": 1]], param: "tags.k"),
        Case("createCluster", ["name": "demo", "subnets": [""]], param: "subnets[0]"),
        Case("createCluster", ["name": "demo", "region": "EU West"], param: "region"),
        Case("createCluster", ["nodeCount": 3], param: "name", hint: "required"),
        Case("createCluster", ["name": "demo", "provider": "nowhere"], param: "provider"),
        Case("getCluster", ["name": 7], param: "name"),
        Case("getCluster", ["name": "demo", "verbose": true], param: "verbose", hint: "accepted:"),
        Case("deleteCluster", ["name": "demo", "timeoutSeconds": 5], param: "timeoutSeconds"),
        Case("upgradeCluster", ["name": "demo"], param: "version", hint: "required"),
        Case("scaleNodePool", ["cluster": "demo", "name": "default", "nodeCount": "5"], param: "nodeCount"),
        Case("createNodePool", ["cluster": "Demo!", "name": "pool"], param: "cluster"),
        Case("createInstance", ["name": "vm", "userData": .string(String(repeating: "x", count: 16 * 1024 + 1))], param: "userData"),
        Case("createInstance", ["name": "vm", "instanceType": ""], param: "instanceType"),
        Case("startInstance", ["id": "i-1 2"], param: "id"),
        Case("waitInstanceReady", ["id": "i-1", "timeoutSeconds": -1], param: "timeoutSeconds"),
        Case("listInstances", ["limit": "10"], param: "limit"),
        Case("createCluster", ["name": "demo", "progressToken": ["not": "a token"]], param: "progressToken"),
        Case("createCluster", ["name": "demo", "endpointAccess": "internal"], param: "endpointAccess", hint: "'public-and-private'"),
        Case("createCluster", ["name": "demo", "publicAccessCidrs": ["10.0.0.0/33"]], param: "publicAccessCidrs[0]", hint: "CIDR"),
        Case("createCluster", ["name": "demo", "endpointAccess": "private", "publicAccessCidrs": ["10.0.0.0/8"]],
             param: "publicAccessCidrs", hint: "private"),
        Case("createCluster", ["name": "demo", "securityGroups": ["sg-1", "sg-2", "sg-3", "sg-4", "sg-5", "sg-6"]], param: "securityGroups"),
        Case("createInstance", ["name": "vm", "keyName": "mine", "sshPublicKey": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"],
             param: "keyName", hint: "not both"),
        Case("createInstance", ["name": "vm", "securityGroups": [""]], param: "securityGroups[0]"),
        Case("createInstance", ["name": "vm", "clientToken": "has space"], param: "clientToken", hint: "printable ASCII"),
        Case("createInstance", ["name": "vm", "diskSizeGb": 5], param: "diskSizeGb", hint: "10 to 65536"),
        Case("createInstance", ["name": "vm", "publicIP": "yes"], param: "publicIP"),
        Case("createCluster", ["name": "demo", "network": ""], param: "network"),
        Case("createCluster", ["name": "demo", "clientToken": .string(String(repeating: "k", count: 65))], param: "clientToken"),
    ]

    @Test(arguments: cases)
    func invalidParamsAreRefusedNamingTheParam(_ testCase: Case) async throws {
        let agent = try await LocalAgent()
        let error = try await agent.failure(testCase.method, testCase.params, code: Code.invalidParams, param: testCase.param)
        let message = error["message"]?.stringValue ?? ""
        #expect(message.contains("'\(testCase.param)'"), "\(message)")
        if !testCase.hint.isEmpty {
            #expect(message.contains(testCase.hint), "\(message)")
        }
        #expect(try await agent.result("listClusters") == ["clusters": []], "nothing was created")
        #expect(try await agent.result("listInstances") == ["instances": []], "nothing was created")
    }
}
