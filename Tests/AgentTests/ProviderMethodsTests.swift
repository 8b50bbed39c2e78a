import CloudCore
import Diagnostics
import Foundation
import Testing
@testable import Agent
@testable import JSONRPC

@Suite struct ProviderMethodsTests {
    let state = "\(NSTemporaryDirectory())/agent-tests/\(UUID().uuidString)"
    var table: MethodTable { testTable(stateDirectory: state) }

    private func call(_ table: MethodTable, _ method: String, _ params: JSONValue? = nil) async -> Result<JSONValue, RPCError> {
        let response = await table.respond(id: RequestID(1), method: method, params: params,
                                           context: RequestContext(id: RequestID(1), method: method, progress: .disabled, logger: Logger(label: "t")))
        switch response {
        case .result(_, let result): return .success(result)
        case .error(_, let error): return .failure(error)
        case .notification: return .failure(.internalError("notification"))
        }
    }

    private func error(_ table: MethodTable, _ method: String, _ params: JSONValue? = nil) async -> RPCError? {
        if case .failure(let error) = await call(table, method, params) { return error }
        return nil
    }

    @Test func configureProviderAddsAProviderAndNeverEchoesSecrets() async throws {
        let table = self.table
        let configured = try await call(table, "configureProvider", [
            "name": "prod", "kind": "aws", "region": "eu-west-1", "accessKeyId": "AKIDEXAMPLE",
            "secretAccessKey": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "progressToken": 7,
        ]).get()
        #expect(configured["settings"]?["secretAccessKey"] == "<redacted>")
        #expect(configured["settings"]?["accessKeyId"] == "AKIDEXAMPLE")
        #expect(configured["implemented"] == true)
        let listed = try await call(table, "listProviders").get()
        #expect(!JSONSerializer.string(listed).contains("wJalrXUtnFEMI"))
        #expect(listed["providers"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["local", "prod"])
        #expect(listed["defaultProvider"] == "local")

        let azure = try await call(table, "configureProvider", ["name": "aks", "kind": "azure", "subscriptionId": "00000000-0000-0000-0000-000000000000"]).get()
        #expect(azure["implemented"] == true)
        let missing = await error(table, "createCluster", ["provider": "aks", "name": "demo"])
        #expect(missing?.code == .invalidParams && missing?.data?["param"] == "resourceGroup", "nothing is sent before the setting is there")
    }

    @Test func configureProviderRefusesBadEntriesNamingTheField() async {
        let table = self.table
        #expect(await error(table, "configureProvider", ["kind": "aws"])?.data?["param"] == "name")
        #expect(await error(table, "configureProvider", ["name": "x", "kind": "aws", "bogus": 1])?.data?["param"] == "bogus")
        let secret = await error(table, "configureProvider", ["name": "x", "kind": "aws", "sessionToken": ["not", "a", "string"]])
        #expect(secret?.code == .invalidParams && secret?.data?["param"] == "sessionToken")
        #expect(await error(table, "getCluster", ["name": "demo", "provider": "ghost"])?.data?["param"] == "provider")
    }

    @Test func everyCloudErrorHasItsOwnCode() {
        let failure = WaitFailure(resourceType: "cluster", name: "demo", target: "active", lastStatus: .creating,
                                  lastProviderStatus: "CREATING", elapsedSeconds: 1.5)
        let cases: [(CloudProviderError, ErrorCode, String)] = [
            (.notFound(resourceType: "cluster", name: "x"), .notFound, "notFound"),
            (.conflict(resourceType: "cluster", name: "x", reason: "busy"), .conflict, "conflict"),
            (.invalidRequest(field: "name", reason: "bad"), .invalidParams, "invalidRequest"),
            (.unauthenticated(reason: "no credentials"), .unauthenticated, "unauthenticated"),
            (.permissionDenied(reason: "denied"), .permissionDenied, "permissionDenied"),
            (.throttled(retryAfterSeconds: 2, reason: "slow"), .throttled, "throttled"),
            (.timeout(failure), .timeout, "timeout"),
            (.cancelled(failure), .requestCancelled, "cancelled"),
            (.unsupportedOperation(provider: "p", kind: .gcp, operation: "op", reason: "r"), .unsupportedOperation, "unsupportedOperation"),
            (.providerError(ProviderFailure(httpStatus: 500, code: "Boom", message: "m", requestID: "req-1", retryable: true)), .providerError, "providerError"),
        ]
        for (error, code, type) in cases {
            #expect(error.rpcError.code == code, "\(error)")
            #expect(error.rpcError.data?["type"] == .string(type), "\(error)")
        }
        #expect(Set(cases.map(\.1.rawValue)).count == cases.count)
        #expect(CloudProviderError.cancelled(failure).rpcError.data?["operationContinues"] == true)
        #expect(CloudProviderError.timeout(failure).rpcError.data?["lastStatus"] == "creating")
        let provider = CloudProviderError.providerError(ProviderFailure(httpStatus: 500, code: "Boom", message: "m", requestID: "req-1")).rpcError
        #expect(provider.data?["httpStatus"] == 500 && provider.data?["requestId"] == "req-1")
    }

    @Test func paramsAreCheckedBeforeAnyWork() async {
        let table = self.table
        #expect(await error(table, "createCluster", ["name": "demo", "nodeCount": "3"])?.data?["param"] == "nodeCount")
        let typo = await error(table, "createCluster", ["name": "demo", "nodecount": 3])
        #expect(typo?.data?["param"] == "nodecount")
        #expect(typo?.message.contains("did you mean 'nodeCount'") == true)
        #expect(await error(table, "createCluster", ["name": "demo", "timeoutSeconds": 5])?.data?["param"] == "timeoutSeconds")
        #expect(await error(table, "createCluster", ["name": "demo", "wait": true, "timeoutSeconds": 0])?.data?["param"] == "timeoutSeconds")
        #expect(await error(table, "listClusters", ["limit": 0])?.data?["param"] == "limit")
        #expect(await error(table, "getKubeconfig", ["name": "demo", "path": "relative.yaml"])?.data?["param"] == "path")
        #expect(await error(table, "createCluster", ["name": "demo", "progressToken": ["x"]])?.data?["param"] == "progressToken")
        // Nothing was created by the refused calls.
        #expect(await error(table, "getCluster", ["name": "demo"])?.code == .notFound)
    }

    @Test func aMutationWithWaitReturnsTheResourceInItsTargetState() async throws {
        let table = self.table
        let cluster = try await call(table, "createCluster", ["name": "demo", "wait": true]).get()
        #expect(cluster["status"] == "active")
        let pool = try await call(table, "scaleNodePool", ["cluster": "demo", "name": "default", "nodeCount": 5, "wait": true]).get()
        #expect(pool["nodeCount"] == 5 && pool["status"] == "active")
        let deleted = try await call(table, "deleteCluster", ["name": "demo", "wait": true]).get()
        #expect(deleted["status"] == "deleted")
    }
}
