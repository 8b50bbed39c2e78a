import CloudCore
import Diagnostics
import Foundation
import Testing
import TestSupport
@testable import AzureProvider

typealias ARMScript = ScriptedTransport

/// A token source that counts how often it was asked and invalidated.
actor CountingAzureTokens: AzureAccessTokenSource {
    var invalidated = 0
    func token() -> AzureBearerToken { AzureBearerToken(value: "arm-token-\(invalidated)", expiresAt: nil) }
    func invalidate() { invalidated += 1 }
}

func armJSON(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
    HTTPResponse(status: status, headers: Dictionary(uniqueKeysWithValues: headers.merging(["Content-Type": "application/json"]) { given, _ in given }
        .map { ($0.key.lowercased(), $0.value) }), body: Array(body.utf8))
}

func armError(_ status: Int, _ code: String, _ message: String = "m", target: String? = nil, headers: [String: String] = [:]) -> HTTPResponse {
    let targetJSON = target.map { #", "target": "\#($0)""# } ?? ""
    return armJSON(status, #"{"error": {"code": "\#(code)", "message": "\#(message)"\#(targetJSON)}}"#, headers: headers)
}

private let quiet = Logger(label: "t", sink: LogSink(fileDescriptor: 2, level: .off))

func armClient(_ transport: any HTTPTransport, tokens: any AzureAccessTokenSource = CountingAzureTokens(),
               endpoint: String = "https://management.azure.com") -> ARMClient {
    ARMClient(transport: transport, tokens: tokens, endpoints: AzureEndpoints(override: URL(string: endpoint)),
              retry: RetryPolicy(maxAttempts: 3, base: .milliseconds(1)), logger: quiet)
}

struct ARMClientTests {
    @Test func everyCallCarriesTheTokenAndTheApiVersion() async throws {
        let script = ARMScript([armJSON(200, #"{"location": "eastus", "properties": {"provisioningState": "Succeeded"}}"#)])
        let cluster = try await AKSClient(client: armClient(script), subscription: "00000000-0000-0000-0000-000000000001")
            .get(resourceGroup: "rg (prod)", "demo")
        #expect(cluster.properties.provisioningState == "Succeeded")
        let request = try #require(script.requests.first)
        #expect(request.url.absoluteString == "https://management.azure.com/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg%20%28prod%29/providers/Microsoft.ContainerService/managedClusters/demo?api-version=2023-11-01")
        #expect(request.header("Authorization") == "Bearer arm-token-0")
    }

    @Test func anExpiredTokenIsRefreshedOnceAndTheCallSentAgain() async throws {
        let tokens = CountingAzureTokens()
        let script = ARMScript([armError(401, "ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time."),
                                armJSON(200, #"{"value": []}"#)])
        let listed = try await AKSClient(client: armClient(script, tokens: tokens), subscription: "s").list(resourceGroup: "rg")
        #expect(listed.isEmpty)
        #expect(script.requests.map { $0.header("Authorization") } == ["Bearer arm-token-0", "Bearer arm-token-1"])
        #expect(await tokens.invalidated == 1)
        let refusedTwice = ARMScript([armError(401, "InvalidAuthenticationToken", "The access token is invalid."),
                                      armError(401, "InvalidAuthenticationToken", "The access token is invalid.")])
        await #expect(throws: CloudProviderError.unauthenticated(reason: "The access token is invalid. (InvalidAuthenticationToken)")) {
            _ = try await AKSClient(client: armClient(refusedTwice), subscription: "s").list(resourceGroup: "rg")
        }
    }

    @Test func throttlingHonoursRetryAfterThenSucceeds() async throws {
        let script = ARMScript([armError(429, "TooManyRequests", headers: ["Retry-After": "0"]), armError(503, "ServiceUnavailable"),
                                armJSON(200, #"{"value": [{"location": "eastus", "name": "a", "properties": {}}]}"#)])
        let listed = try await AKSClient(client: armClient(script), subscription: "s").list(resourceGroup: "rg")
        #expect(listed.map(\.name) == ["a"] && script.requests.count == 3)
    }

    @Test func listsFollowNextLinkOnTheARMEndpointOnly() async throws {
        let script = ARMScript([
            armJSON(200, #"{"value": [{"location": "eastus", "name": "a", "properties": {}}], "nextLink": "https://management.azure.com/subscriptions/s/providers/Microsoft.ContainerService/managedClusters?api-version=2023-11-01&$skipToken=2"}"#),
            armJSON(200, #"{"value": [{"location": "westus", "name": "b", "properties": {}}]}"#),
        ])
        let listed = try await AKSClient(client: armClient(script), subscription: "s").list(resourceGroup: nil)
        #expect(listed.map(\.name) == ["a", "b"])
        #expect(script.requests[1].url.query?.contains("skipToken=2") == true)

        let elsewhere = ARMScript([armJSON(200, #"{"value": [], "nextLink": "https://attacker.example/steal"}"#)])
        await #expect(throws: CloudProviderError.self) {
            _ = try await AKSClient(client: armClient(elsewhere), subscription: "s").list(resourceGroup: nil)
        }
        #expect(elsewhere.requests.count == 1, "the token never goes to another host")
    }

    @Test(arguments: [
        (404, "ResourceNotFound", CloudProviderError.notFound(resourceType: "cluster", name: "demo")),
        (409, "OperationNotAllowed", .conflict(resourceType: "cluster", name: "demo", reason: "m (OperationNotAllowed)")),
        (400, "InvalidParameter", .invalidRequest(field: "params", reason: "m (InvalidParameter)")),
        (403, "AuthorizationFailed", .permissionDenied(reason: "m (AuthorizationFailed)")),
        (404, "ResourceGroupNotFound", .invalidRequest(field: "resourceGroup", reason: "m (ResourceGroupNotFound)")),
    ])
    func armCodesMapToTheSharedErrors(status: Int, code: String, expected: CloudProviderError) {
        #expect(ARMErrorMapping.error(ARMErrorMapping.failure(armError(status, code)), resourceType: "cluster", name: "demo") == expected)
    }

    @Test func invalidParametersNameTheirTargetAndOtherFailuresKeepTheRequestID() {
        let version = ARMErrorMapping.failure(armError(400, "InvalidParameter", "Version 1.99 is not supported", target: "properties.kubernetesVersion"))
        #expect(ARMErrorMapping.error(version, resourceType: "cluster", name: "d")
                    == .invalidRequest(field: "version", reason: "Version 1.99 is not supported (InvalidParameter)"))
        let image = ARMErrorMapping.failure(armError(404, "PlatformImageNotFound", "The platform image 'a:b:c:latest' is not available.",
                                                     target: "imageReference"))
        #expect(ARMErrorMapping.error(image, resourceType: "instance", name: "vm")
                    == .invalidRequest(field: "image", reason: "The platform image 'a:b:c:latest' is not available. (PlatformImageNotFound)"),
                "an image the request names is no instance that is not found")
        let server = ARMErrorMapping.failure(armError(500, "InternalServerError", "boom", headers: ["x-ms-request-id": "req-42"]))
        guard case .providerError(let failure) = ARMErrorMapping.error(server, resourceType: "cluster", name: "d") else {
            Issue.record("expected a provider error")
            return
        }
        #expect(failure.code == "InternalServerError" && failure.requestID == "req-42" && failure.retryable)
        let nested = ARMErrorMapping.failure(armJSON(400, #"{"error": {"code": "BadRequest", "message": "Invalid request", "details": [{"code": "X", "message": "agent pool count must be at least 1"}]}}"#))
        #expect(nested.message == "Invalid request: agent pool count must be at least 1")
    }
}

struct ARMOperationTests {
    @Test func theAsyncOperationHeaderWinsOverLocation() throws {
        let endpoints = AzureEndpoints(override: nil)
        let both = armJSON(201, "{}", headers: ["Azure-AsyncOperation": "https://management.azure.com/op/1", "Location": "https://management.azure.com/loc/1",
                                                "Retry-After": "15"])
        #expect(ARMOperationReference(both, endpoints: endpoints) == ARMOperationReference(url: URL(string: "https://management.azure.com/op/1")!,
                                                                                           kind: .asyncOperation, retryAfter: 15))
        let location = armJSON(202, "", headers: ["Location": "https://management.azure.com/loc/1"])
        #expect(ARMOperationReference(location, endpoints: endpoints)?.kind == .location)
        #expect(ARMOperationReference(armJSON(200, "{}", headers: ["Location": "https://x/1"]), endpoints: endpoints) == nil, "a 200 is done")
    }

    @Test func anAsyncOperationIsPolledToItsEndAndAFailureKeepsItsError() async throws {
        let script = ARMScript([
            armJSON(200, #"{"status": "InProgress"}"#, headers: ["Retry-After": "0"]),
            armJSON(200, #"{"status": "Failed", "error": {"code": "QuotaExceeded", "message": "Operation could not be completed as it results in exceeding approved standardDSv5Family Cores quota."}}"#),
        ])
        let reference = ARMOperationReference(url: URL(string: "https://management.azure.com/subscriptions/s/providers/Microsoft.ContainerService/locations/eastus/operations/1?api-version=2023-11-01")!,
                                              kind: .asyncOperation, retryAfter: 0)
        let status = try await armClient(script).finish(reference, subject: .init(resourceType: "cluster", name: "d"),
                                                        policy: PollPolicy(initial: .milliseconds(1), maximum: .milliseconds(2)), limit: .seconds(600))
        #expect(!status.succeeded && status.error?.code == "QuotaExceeded")
        #expect(status.failureMessage?.hasSuffix("quota. (QuotaExceeded)") == true)
        #expect(script.requests.count == 2)
    }

    @Test func aLocationIsInProgressWhile202AndDoneAfter() async throws {
        let script = ARMScript([armJSON(202, "", headers: ["Retry-After": "0"]), HTTPResponse(status: 204)])
        let reference = ARMOperationReference(url: URL(string: "https://management.azure.com/loc/1")!, kind: .location)
        let client = armClient(script)
        #expect(try await client.operationStatus(reference, subject: .init(resourceType: "cluster", name: "d")).status == "InProgress")
        #expect(try await client.operationStatus(reference, subject: .init(resourceType: "cluster", name: "d")).succeeded)
    }

    @Test func aFailureReadAtTheLocationKeepsARMsCodeAndAPreemptionIsNoFailureOfItsOwn() async throws {
        let script = ARMScript([armError(400, "AllocationFailed", "Allocation failed."),
                                armError(409, "OperationPreempted", "Operation execution has been preempted by a more recent operation.")])
        let reference = ARMOperationReference(url: URL(string: "https://management.azure.com/loc/1")!, kind: .location)
        let client = armClient(script)
        let failed = try await client.operationStatus(reference, subject: .init(resourceType: "instance", name: "vm"))
        #expect(!failed.succeeded && failed.error?.code == "AllocationFailed" && failed.failureMessage == "Allocation failed. (AllocationFailed)")
        #expect(!failed.wasPreempted)
        let preempted = try await client.operationStatus(reference, subject: .init(resourceType: "instance", name: "vm"))
        #expect(preempted.isDone && preempted.wasPreempted)
    }

    @Test func sovereignEndpointsHaveTheirOwnScopeAndFakesThePublicOne() {
        #expect(AzureEndpoints(override: nil).scope == "https://management.azure.com/.default")
        #expect(AzureEndpoints(override: URL(string: "https://management.usgovcloudapi.net")).scope == "https://management.usgovcloudapi.net/.default")
        #expect(AzureEndpoints(override: URL(string: "http://127.0.0.1:8080")).scope == "https://management.azure.com/.default")
    }
}
