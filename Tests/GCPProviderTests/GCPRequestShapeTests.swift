import CloudCore
import Diagnostics
import Foundation
import Testing
import TestSupport
@testable import GCPProvider

typealias GCPScript = ScriptedTransport

/// A token source that counts how often it was asked and invalidated.
actor CountingTokens: GCPAccessTokenSource {
    var issued = 0
    var invalidated = 0
    let quota: String?
    init(quotaProject: String? = nil) { quota = quotaProject }
    func quotaProject() -> String? { quota }
    func token() -> GCPBearerToken {
        issued += 1
        return GCPBearerToken(value: "token-\(invalidated)", expiresAt: nil)
    }
    func invalidate() { invalidated += 1 }
}

func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
    HTTPResponse(status: status, headers: headers.merging(["Content-Type": "application/json"]) { given, _ in given }, body: Array(body.utf8))
}

func googleError(_ status: Int, _ canonical: String, _ message: String = "m", headers: [String: String] = [:]) -> HTTPResponse {
    json(status, #"{"error": {"code": \#(status), "message": "\#(message)", "status": "\#(canonical)"}}"#, headers: headers)
}

private let quiet = Logger(label: "t", sink: LogSink(fileDescriptor: 2, level: .off))

func gcpClient(_ transport: any HTTPTransport, tokens: any GCPAccessTokenSource = CountingTokens()) -> GCPClient {
    GCPClient(transport: transport, tokens: tokens, endpoints: GCPEndpoints(override: nil),
              retry: RetryPolicy(maxAttempts: 3, base: .milliseconds(1)), logger: quiet)
}

func gcpProvider(_ transport: any HTTPTransport, settings: [String: SettingValue] = [:]) -> GCPCloudProvider {
    var all: [String: SettingValue] = ["project": "my-project", "location": "us-central1-a"]
    all.merge(settings) { _, new in new }
    return GCPCloudProvider(configuration: ProviderConfiguration(name: "gcp", kind: .gcp, region: nil, settings: all),
                            tokens: CountingTokens(), logger: quiet, invocation: AgentInvocation(executable: "/bin/cloud-agent"),
                            transport: transport)
}

private func body(_ request: HTTPRequest) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
}

struct GCPRequestShapeTests {
    static let operation = #"{"name": "operation-1", "operationType": "CREATE_CLUSTER", "status": "RUNNING"}"#

    @Test func createClusterPostsTheDocumentedBody() async throws {
        let script = GCPScript([json(200, Self.operation)])
        _ = try await GKEClient(client: gcpClient(script)).createCluster(project: "my-project", location: "us-central1", {
            var cluster = GKECluster(name: "demo")
            cluster.initialClusterVersion = "1.30"
            cluster.nodePools = [GKENodePool(name: "default", initialNodeCount: 3, machineType: "e2-standard-4")]
            cluster.resourceLabels = ["team": "platform"]
            return cluster
        }())
        let request = try #require(script.requests.first)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://container.googleapis.com/v1/projects/my-project/locations/us-central1/clusters")
        #expect(request.header("Authorization") == "Bearer token-0" && request.header("Content-Type") == "application/json")
        let cluster = try #require(try body(request)["cluster"] as? [String: Any])
        #expect(cluster["name"] as? String == "demo" && cluster["initialClusterVersion"] as? String == "1.30")
        let pool = try #require((cluster["nodePools"] as? [[String: Any]])?.first)
        #expect(pool["initialNodeCount"] as? Int == 3 && (pool["config"] as? [String: Any])?["machineType"] as? String == "e2-standard-4")
        #expect((cluster["resourceLabels"] as? [String: String]) == ["team": "platform"])
    }

    @Test func nodePoolAndUpgradeCallsUseTheirCustomVerbs() async throws {
        let script = GCPScript(Array(repeating: json(200, Self.operation), count: 4))
        let gke = GKEClient(client: gcpClient(script))
        _ = try await gke.setNodePoolSize(project: "p-123456", location: "europe-west1", cluster: "demo", "default", nodeCount: 5)
        _ = try await gke.updateMaster(project: "p-123456", location: "europe-west1", "demo", version: "1.31")
        _ = try await gke.updateNodePoolVersion(project: "p-123456", location: "europe-west1", cluster: "demo", "default",
                                                version: "1.31.5-gke.1000000", imageType: "COS_CONTAINERD")
        _ = try await gke.getOperation(project: "p-123456", location: "europe-west1", "operation-1")
        let urls = script.requests.map { "\($0.method) \($0.url.path)" }
        #expect(urls == ["POST /v1/projects/p-123456/locations/europe-west1/clusters/demo/nodePools/default:setSize",
                         "POST /v1/projects/p-123456/locations/europe-west1/clusters/demo:updateMaster",
                         "PUT /v1/projects/p-123456/locations/europe-west1/clusters/demo/nodePools/default",
                         "GET /v1/projects/p-123456/locations/europe-west1/operations/operation-1"])
        #expect(try body(script.requests[0])["nodeCount"] as? Int == 5)
        #expect(try body(script.requests[1])["masterVersion"] as? String == "1.31")
        #expect(try body(script.requests[2]) as NSDictionary == ["nodeVersion": "1.31.5-gke.1000000", "imageType": "COS_CONTAINERD"])
    }

    @Test func computeMutationsCarryARequestIdAndListsTheirFilter() async throws {
        let script = GCPScript([json(200, #"{"name": "operation-2", "status": "PENDING"}"#),
                                json(200, #"{"items": {"zones/us-central1-a": {"instances": [{"name": "web", "zone": "https://x/zones/us-central1-a", "status": "RUNNING"}]}, "zones/europe-west1-b": {"warning": {"code": "NO_RESULTS_ON_PAGE"}}}, "nextPageToken": "t2"}"#)])
        let compute = ComputeClient(client: gcpClient(script))
        var instance = ComputeInstance(name: "web")
        instance.machineType = "zones/us-central1-a/machineTypes/e2-medium"
        _ = try await compute.insert(project: "my-project", zone: "us-central1-a", instance, requestID: "8c0a3b6e-0b7a-4a53-9d0e-0f3c1b2a4d5e")
        let listed = try await compute.aggregatedList(project: "my-project", filter: #"(labels.env = "prod")"#, maxResults: 50, pageToken: "t1")
        #expect(script.requests[0].url.absoluteString
                    == "https://compute.googleapis.com/compute/v1/projects/my-project/zones/us-central1-a/instances?requestId=8c0a3b6e-0b7a-4a53-9d0e-0f3c1b2a4d5e")
        #expect(try body(script.requests[0])["machineType"] as? String == "zones/us-central1-a/machineTypes/e2-medium")
        #expect(script.requests[1].url.absoluteString
                    == "https://compute.googleapis.com/compute/v1/projects/my-project/aggregated/instances?maxResults=50&filter=%28labels.env%20%3D%20%22prod%22%29&pageToken=t1")
        #expect(listed.items?["zones/us-central1-a"]?.instances?.map(\.name) == ["web"] && listed.nextPageToken == "t2")
        #expect(listed.items?["zones/europe-west1-b"]?.instances == nil)
    }

    @Test func aCallerTokenBecomesTheSameUUIDEveryTime() {
        let first = GCPCloudProvider.requestID(from: "deploy-42")
        #expect(first == GCPCloudProvider.requestID(from: "deploy-42") && first != GCPCloudProvider.requestID(from: "deploy-43"))
        #expect(UUID(uuidString: first) != nil && first == first.lowercased())
        #expect(GCPCloudProvider.requestID(from: nil) != GCPCloudProvider.requestID(from: nil))
    }
}

struct GCPClientTests {
    @Test func anInvalidTokenIsRefreshedOnceAndTheCallSentAgain() async throws {
        let tokens = CountingTokens()
        let script = GCPScript([googleError(401, "UNAUTHENTICATED"), json(200, #"{"name": "demo"}"#)])
        let cluster: GKECluster = try await gcpClient(script, tokens: tokens).send("GET", URL(string: "https://container.googleapis.com/v1/x")!,
                                                                                  subject: .init(resourceType: "cluster", name: "demo"))
        #expect(cluster.name == "demo")
        #expect(script.requests.map { $0.header("Authorization") } == ["Bearer token-0", "Bearer token-1"])
        #expect(await tokens.invalidated == 1)
    }

    @Test func callsNameTheQuotaProjectOnlyWhenTheCredentialsDo() async throws {
        let script = GCPScript([json(200, #"{"name": "demo"}"#), json(200, #"{"name": "demo"}"#)])
        let url = URL(string: "https://container.googleapis.com/v1/x")!
        let _: GKECluster = try await gcpClient(script, tokens: CountingTokens(quotaProject: "billing-project-1"))
            .send("GET", url, subject: .init(resourceType: "cluster", name: "demo"))
        let _: GKECluster = try await gcpClient(script).send("GET", url, subject: .init(resourceType: "cluster", name: "demo"))
        #expect(script.requests.map { $0.header("x-goog-user-project") } == ["billing-project-1", nil])
    }

    @Test func aTokenRefusedTwiceIsUnauthenticated() async throws {
        let script = GCPScript([googleError(401, "UNAUTHENTICATED"), googleError(401, "UNAUTHENTICATED", "expired")])
        await #expect(throws: CloudProviderError.unauthenticated(reason: "expired (UNAUTHENTICATED)")) {
            let _: GKECluster = try await gcpClient(script).send("GET", URL(string: "https://container.googleapis.com/v1/x")!,
                                                                 subject: .init(resourceType: "cluster", name: "demo"))
        }
    }

    @Test func throttlingAndUnavailabilityAreRetriedThenReported() async throws {
        let recovered = GCPScript([googleError(429, "RESOURCE_EXHAUSTED", headers: ["Retry-After": "0"]), googleError(503, "UNAVAILABLE"),
                                   json(200, #"{"name": "demo"}"#)])
        let cluster: GKECluster = try await gcpClient(recovered).send("GET", URL(string: "https://x.test/v1/c")!,
                                                                      subject: .init(resourceType: "cluster", name: "demo"))
        #expect(cluster.name == "demo" && recovered.requests.count == 3)
        let throttled = GCPScript(Array(repeating: googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded"), count: 3))
        await #expect(throws: CloudProviderError.throttled(retryAfterSeconds: nil, reason: "Quota exceeded (RESOURCE_EXHAUSTED)")) {
            let _: GKECluster = try await gcpClient(throttled).send("GET", URL(string: "https://x.test/v1/c")!,
                                                                    subject: .init(resourceType: "cluster", name: "demo"))
        }
    }

    @Test(arguments: [
        (404, "NOT_FOUND", CloudProviderError.notFound(resourceType: "cluster", name: "demo")),
        (409, "ALREADY_EXISTS", .conflict(resourceType: "cluster", name: "demo", reason: "m (ALREADY_EXISTS)")),
        (400, "FAILED_PRECONDITION", .conflict(resourceType: "cluster", name: "demo", reason: "m (FAILED_PRECONDITION)")),
        (400, "INVALID_ARGUMENT", .invalidRequest(field: "params", reason: "m (INVALID_ARGUMENT)")),
        (403, "PERMISSION_DENIED", .permissionDenied(reason: "m (PERMISSION_DENIED)")),
    ])
    func googleStatusesMapToTheSharedErrors(status: Int, canonical: String, expected: CloudProviderError) {
        let failure = GCPErrorMapping.failure(googleError(status, canonical))
        #expect(GCPErrorMapping.error(failure, resourceType: "cluster", name: "demo") == expected)
    }

    @Test func bodiesWithoutAStatusFallBackOnTheHTTPStatus() {
        let compute = GCPErrorMapping.failure(json(404, #"{"error": {"code": 404, "message": "The resource 'x' was not found", "errors": [{"reason": "notFound"}]}}"#))
        #expect(GCPErrorMapping.error(compute, resourceType: "instance", name: "x") == .notFound(resourceType: "instance", name: "x"))
        #expect(compute.reason == "notFound")
        let html = GCPErrorMapping.failure(HTTPResponse(status: 502, body: Array("<html>bad gateway</html>".utf8)))
        guard case .providerError(let failure) = GCPErrorMapping.error(html, resourceType: "cluster", name: "d") else {
            Issue.record("expected a provider error")
            return
        }
        #expect(failure.retryable && failure.code == "INTERNAL" && failure.message.contains("bad gateway"))
        let version = GCPErrorMapping.failure(googleError(400, "INVALID_ARGUMENT", "Master version \\\"1.99\\\" is unsupported."))
        #expect(GCPErrorMapping.error(version, resourceType: "cluster", name: "d")
                    == .invalidRequest(field: "version", reason: "Master version \"1.99\" is unsupported. (INVALID_ARGUMENT)"))
    }
}

struct GCPProviderOperationTests {
    static let provisioning = #"{"name": "demo", "location": "us-central1-a", "status": "PROVISIONING", "currentMasterVersion": "1.30.5-gke.1", "nodePools": [{"name": "default", "status": "PROVISIONING", "initialNodeCount": 3, "config": {"machineType": "e2-standard-4"}}]}"#
    static let errored = #"{"name": "demo", "location": "us-central1-a", "status": "ERROR", "statusMessage": "", "nodePools": []}"#

    @Test func aCreateIsFollowedByItsOperationAndItsErrorMakesTheClusterFailed() async throws {
        let script = GCPScript([
            json(200, #"{"name": "operation-9", "operationType": "CREATE_CLUSTER", "status": "RUNNING"}"#),  // create
            json(200, Self.provisioning),  // get cluster
            json(200, #"{"name": "operation-9", "status": "RUNNING", "progress": {"metrics": [{"name": "nodes_done", "intValue": "1"}, {"name": "nodes_total", "intValue": "4"}]}}"#),
            json(200, Self.errored),  // get cluster
            json(200, #"{"name": "operation-9", "status": "DONE", "error": {"code": 8, "message": "Insufficient regional quota to satisfy request: resource \"CPUS\""}}"#),
        ])
        let gcp = gcpProvider(script)
        let created = try await gcp.createCluster(CreateClusterRequest(name: "demo", nodeCount: 3))
        #expect(created.status == .creating && created.statusMessage == "creating cluster (25%)")
        #expect(created.id == "projects/my-project/locations/us-central1-a/clusters/demo" && created.cloud == .gcp)
        #expect(created.nodePools.map(\.name) == ["default"] && created.nodePools.first?.nodeCount == 3)
        let failed = try await gcp.getCluster(name: "demo")
        #expect(failed.status == .failed)
        #expect(failed.statusMessage == "creating cluster failed: Insufficient regional quota to satisfy request: resource \"CPUS\"")
        #expect(script.requests.map(\.url.path).last == "/v1/projects/my-project/locations/us-central1-a/operations/operation-9")
    }

    @Test func withoutAProjectTheSettingIsNamed() async throws {
        let gcp = GCPCloudProvider(configuration: ProviderConfiguration(name: "gcp", kind: .gcp, region: nil, settings: [:]),
                                   tokens: CountingTokens(), logger: quiet, invocation: AgentInvocation(), transport: GCPScript([]))
        await #expect(throws: CloudProviderError.invalidRequest(field: "project", reason: "is a setting the gcp provider 'gcp' needs for every call (the project id; the credentials name none); add it with configureProvider or the config file")) {
            try await gcp.getCluster(name: "demo")
        }
    }
}
