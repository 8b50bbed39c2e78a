#if canImport(Glibc)
import Glibc
#endif
import CloudCore
import Diagnostics
import Foundation
import Synchronization
import Testing
@testable import AWSProvider

/// A transport that records requests and answers from a script, in order (the last repeats).
private final class EKSScript: HTTPTransport {
    private let responses: Mutex<[HTTPResponse]>
    let requests = Mutex<[HTTPRequest]>([])

    init(_ responses: [HTTPResponse]) { self.responses = Mutex(responses) }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        requests.withLock { $0.append(request) }
        return responses.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] }
    }

    var sent: [HTTPRequest] { requests.withLock { $0 } }
}

private struct NoSTS: AWSSecurityTokenService {
    func assumeRole(with credentials: AWSCredentials, roleArn: String, sessionName: String, externalId: String?) async throws -> AWSCredentials {
        throw CloudProviderError.unauthenticated(reason: "no STS in this test")
    }
    func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws -> AWSCredentials {
        throw CloudProviderError.unauthenticated(reason: "no STS in this test")
    }
}

private func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
    HTTPResponse(status: status, headers: headers.merging(["Content-Type": "application/json", "x-amzn-RequestId": "req-\(status)"]) { a, _ in a },
                 body: Array(body.utf8))
}

private func eks(_ script: EKSScript, attempts: Int = 3) -> EKSClient {
    let quiet = Logger(label: "test", sink: LogSink(fileDescriptor: 2, level: .off))
    let chain = AWSCredentialChain(settings: .init(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                   environment: [:], metadataTransport: script, sts: NoSTS(), logger: quiet)
    return EKSClient(client: AWSClient(transport: script, credentials: chain,
                                       endpoints: AWSEndpoints(region: "eu-west-1", override: nil, environment: [:]),
                                       retry: RetryPolicy(maxAttempts: attempts, base: .milliseconds(1), maximumDelay: .milliseconds(5)),
                                       logger: quiet))
}

/// A cluster as the EKS API reference's DescribeCluster example shows it (trimmed).
private let describedCluster = """
    {"cluster": {"name": "prod", "arn": "arn:aws:eks:eu-west-1:012345678910:cluster/prod", "createdAt": 1532894231.112,
     "version": "1.30", "endpoint": "https://A0DCCD80A04F01705DD065655C30CC3D.yl4.eu-west-1.eks.amazonaws.com",
     "roleArn": "arn:aws:iam::012345678910:role/eks-service-role", "status": "ACTIVE",
     "resourcesVpcConfig": {"subnetIds": ["subnet-6782e71e", "subnet-e7e761ac"], "vpcId": "vpc-950809ec"},
     "certificateAuthority": {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t"}, "platformVersion": "eks.1",
     "tags": {"team": "platform"}}}
    """

@Suite struct EKSClientTests {
    @Test func requestsAreSignedRESTJSONCallsOnTheRegionalEndpoint() async throws {
        let script = EKSScript([json(200, describedCluster)])
        let cluster = try await eks(script).describeCluster("prod")
        #expect(cluster.status == "ACTIVE" && cluster.certificateAuthority?.data == "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t")
        let request = try #require(script.sent.first)
        #expect(request.method == "GET")
        #expect(request.url.absoluteString == "https://eks.eu-west-1.amazonaws.com/clusters/prod")
        #expect(request.body.isEmpty)
        let authorization = try #require(request.header("Authorization"))
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/"))
        #expect(authorization.contains("/eu-west-1/eks/aws4_request"))
        #expect(request.header("X-Amz-Date") != nil)
        #expect(!authorization.contains("wJalrXUtnFEMI"))
    }

    @Test func createSendsTheDocumentedBodyWithAnIdempotencyToken() async throws {
        let script = EKSScript([json(200, describedCluster)])
        _ = try await eks(script).createCluster(EKSCreateClusterBody(
            name: "prod", version: "1.30", roleArn: "arn:aws:iam::012345678910:role/eks-service-role",
            resourcesVpcConfig: .init(subnetIds: ["subnet-6782e71e"], securityGroupIds: nil, endpointPublicAccess: true, endpointPrivateAccess: nil),
            tags: ["team": "platform"], clientRequestToken: "token-1"))
        let request = try #require(script.sent.first)
        #expect(request.method == "POST" && request.url.path == "/clusters")
        #expect(request.header("Content-Type") == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        #expect(body["name"] as? String == "prod" && body["clientRequestToken"] as? String == "token-1")
        #expect((body["resourcesVpcConfig"] as? [String: Any])?["subnetIds"] as? [String] == ["subnet-6782e71e"])
    }

    @Test func endpointAccessBecomesTheVPCConfig() throws {
        var request = CreateClusterRequest(name: "prod", subnets: ["subnet-1", "subnet-2"])
        let open = AWSCloudProvider.vpcConfig(request)
        #expect(open.endpointPublicAccess == true && open.endpointPrivateAccess == false && open.securityGroupIds == nil
                    && open.publicAccessCidrs == nil)
        request.endpointAccess = .private
        request.securityGroups = ["sg-0123"]
        let closed = AWSCloudProvider.vpcConfig(request)
        #expect(closed.endpointPublicAccess == false && closed.endpointPrivateAccess == true && closed.securityGroupIds == ["sg-0123"])
        request.endpointAccess = .publicAndPrivate
        request.publicAccessCidrs = ["203.0.113.0/24"]
        let both = AWSCloudProvider.vpcConfig(request)
        #expect(both.endpointPublicAccess == true && both.endpointPrivateAccess == true && both.publicAccessCidrs == ["203.0.113.0/24"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(both), as: UTF8.self)
                    == #"{"endpointPrivateAccess":true,"endpointPublicAccess":true,"publicAccessCidrs":["203.0.113.0\/24"],"securityGroupIds":["sg-0123"],"subnetIds":["subnet-1","subnet-2"]}"#)
    }

    @Test func listsFollowNextToken() async throws {
        let script = EKSScript([json(200, #"{"clusters": ["a", "b"], "nextToken": "page two/+"}"#), json(200, #"{"clusters": ["c"]}"#)])
        let client = eks(script)
        let first = try await client.listClusters(maxResults: 2, nextToken: nil)
        let second = try await client.listClusters(maxResults: 2, nextToken: first.nextToken)
        #expect(first.clusters + second.clusters == ["a", "b", "c"])
        #expect(second.nextToken == nil)
        #expect(script.sent[1].url.query == "maxResults=2&nextToken=page%20two%2F%2B")
    }

    @Test func errorsMapToTheSharedVocabulary() async throws {
        let notFound = json(404, #"{"message": "No cluster found for name: nope."}"#, headers: ["x-amzn-ErrorType": "ResourceNotFoundException:http://internal.amazon.com/"])
        #expect(await error { try await eks(EKSScript([notFound])).describeCluster("nope") } == .notFound(resourceType: "cluster", name: "nope"))
        let inUse = json(409, #"{"__type": "ResourceInUseException", "message": "Cluster has nodegroups attached"}"#)
        guard case .conflict(_, "prod", let reason)? = await error({ try await eks(EKSScript([inUse])).deleteCluster("prod") }) else {
            Issue.record("expected a conflict")
            return
        }
        #expect(reason.contains("nodegroups attached"))
        // moto (and some endpoints) answer auth failures of a JSON service in XML.
        let badSignature = HTTPResponse(status: 403, body: Array("<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message></Error><RequestId>abc</RequestId></ErrorResponse>".utf8))
        guard case .unauthenticated? = await error({ try await eks(EKSScript([badSignature])).listClusters(maxResults: 1, nextToken: nil) }) else {
            Issue.record("expected unauthenticated")
            return
        }
        let invalid = json(400, #"{"__type": "InvalidParameterException", "message": "unsupported Kubernetes version 1.12"}"#)
        #expect(await error { try await eks(EKSScript([invalid])).describeCluster("x") }?.isInvalid == true)
    }

    @Test func throttlingAndServerErrorsAreRetriedThenReported() async throws {
        let throttled = json(429, #"{"message": "Rate exceeded"}"#, headers: ["x-amzn-ErrorType": "ThrottlingException"])
        let script = EKSScript([throttled, json(503, #"{"message": "busy"}"#), json(200, describedCluster)])
        #expect(try await eks(script).describeCluster("prod").name == "prod")
        #expect(script.sent.count == 3)

        let down = EKSScript([json(500, #"{"__type": "ServerException", "message": "internal"}"#)])
        guard case .providerError(let failure)? = await error({ try await eks(down, attempts: 3).describeCluster("prod") }) else {
            Issue.record("expected a provider error")
            return
        }
        #expect(down.sent.count == 3)
        #expect(failure.httpStatus == 500 && failure.code == "ServerException" && failure.requestID == "req-500" && failure.retryable)
        let limited = EKSScript([throttled])
        guard case .throttled? = await error({ try await eks(limited, attempts: 2).describeCluster("prod") }) else {
            Issue.record("expected throttled")
            return
        }
    }

    /// moto implements none of UpdateClusterVersion, DescribeUpdate and DescribeClusterVersions,
    /// so these run against response bodies taken from the EKS API reference.
    @Test func upgradesAndVersionsFollowTheAPIReference() async throws {
        let updateBody = """
            {"update": {"id": "b5f0ba18-9a87-4450-b5a0-825e6e84496f", "status": "InProgress", "type": "VersionUpdate",
             "params": [{"type": "Version", "value": "1.31"}, {"type": "PlatformVersion", "value": "eks.1"}],
             "createdAt": 1565807210.37, "errors": []}}
            """
        let failedBody = """
            {"update": {"id": "b5f0ba18-9a87-4450-b5a0-825e6e84496f", "status": "Failed", "type": "VersionUpdate",
             "errors": [{"errorCode": "InsufficientFreeAddresses", "errorMessage": "Not enough free IP addresses", "resourceIds": ["subnet-1"]}]}}
            """
        let versionsBody = """
            {"clusterVersions": [
              {"clusterVersion": "1.33", "clusterType": "eks", "defaultVersion": true, "versionStatus": "STANDARD_SUPPORT", "releaseDate": 1748563200},
              {"clusterVersion": "1.29", "clusterType": "eks", "defaultVersion": false, "versionStatus": "EXTENDED_SUPPORT"}],
             "nextToken": null}
            """
        let script = EKSScript([json(200, updateBody), json(200, failedBody), json(200, versionsBody)])
        let client = eks(script)
        let update = try await client.updateClusterVersion("prod", version: "1.31", token: "t-1")
        #expect(update.status == "InProgress" && update.id == "b5f0ba18-9a87-4450-b5a0-825e6e84496f")
        #expect(script.sent[0].url.path == "/clusters/prod/updates")
        #expect(String(decoding: script.sent[0].body, as: UTF8.self) == #"{"clientRequestToken":"t-1","version":"1.31"}"#)
        let failed = try await client.describeUpdate("prod", updateID: update.id)
        #expect(failed.status == "Failed" && failed.errors?.first?.errorCode == "InsufficientFreeAddresses")
        #expect(script.sent[1].url.path == "/clusters/prod/updates/b5f0ba18-9a87-4450-b5a0-825e6e84496f")
        let versions = try await client.describeClusterVersions(nextToken: nil)
        #expect(versions.clusterVersions.map(\.clusterVersion) == ["1.33", "1.29"])
        #expect(versions.clusterVersions[0].defaultVersion == true)
        #expect(script.sent[2].url.path == "/cluster-versions")
    }

    @Test func statusesMapOntoTheSharedVocabulary() {
        #expect(EKSStatusMapping.cluster("CREATING") == .creating && EKSStatusMapping.cluster("PENDING") == .creating)
        #expect(EKSStatusMapping.cluster("ACTIVE") == .active && EKSStatusMapping.cluster("UPDATING") == .updating)
        #expect(EKSStatusMapping.cluster("DELETING") == .deleting && EKSStatusMapping.cluster("FAILED") == .failed)
        #expect(EKSStatusMapping.cluster("SOMETHING_NEW") == .unknown)
        #expect(EKSStatusMapping.nodegroup("DEGRADED") == .active && EKSStatusMapping.nodegroup("CREATE_FAILED") == .failed)
        #expect(EKSStatusMapping.nodegroup("DELETE_FAILED") == .failed && EKSStatusMapping.nodegroup("UPDATING") == .updating)
    }

    private func error(_ body: () async throws -> some Any) async -> CloudProviderError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error as? CloudProviderError
        }
    }
}

extension CloudProviderError {
    var isInvalid: Bool {
        if case .invalidRequest = self { return true }
        return false
    }
}

struct ClusterStepJournalTests {
    let quiet = Logger(label: "test", sink: LogSink(fileDescriptor: 2, level: .off))

    @Test func stepsAreSharedThroughThePrivateFile() throws {
        let path = "\(NSTemporaryDirectory())/journal-\(UUID().uuidString)/aws/prod.json"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let one = ClusterStepJournal(path: path, logger: quiet)
        let other = ClusterStepJournal(path: path, logger: quiet)
        one.put(.init(kind: .createInitialNodegroup, cluster: "a", region: "eu-west-1", nodeCount: 2, nodeType: "t3.large"))
        other.put(.init(kind: .deleteAfterNodegroups, cluster: "b", region: "eu-west-1"))
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(one.entry(.createInitialNodegroup, cluster: "a", region: "eu-west-1")?.nodeCount == 2)
        #expect(one.entry(.deleteAfterNodegroups, cluster: "b", region: "eu-west-1") != nil, "written by the other")
        #expect(one.entries(cluster: "a", region: "us-east-1").isEmpty, "regions are apart")
        one.put(.init(kind: .createInitialNodegroup, cluster: "a", region: "eu-west-1", nodeCount: 3, nodeType: "t3.large", requested: true))
        #expect(other.entries(cluster: "a", region: "eu-west-1").map(\.nodeCount) == [3], "replaced, not added")
        other.remove(cluster: "a", region: "eu-west-1")
        #expect(one.entries(cluster: "a", region: "eu-west-1").isEmpty && one.entries(cluster: "b", region: "eu-west-1").count == 1)
    }

    @Test func anUnreadableJournalIsNoSteps() throws {
        let path = "\(NSTemporaryDirectory())/journal-\(UUID().uuidString).json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("not json".utf8).write(to: URL(fileURLWithPath: path))
        #expect(ClusterStepJournal(path: path, logger: quiet).entries(cluster: "a", region: "r").isEmpty)
    }

    @Test func everyAgentUsesTheSameTokenForOneClustersNodeGroup() {
        #expect(AWSCloudProvider.initialNodegroupToken(clusterArn: "arn:a") == AWSCloudProvider.initialNodegroupToken(clusterArn: "arn:a"))
        #expect(AWSCloudProvider.initialNodegroupToken(clusterArn: "arn:a") != AWSCloudProvider.initialNodegroupToken(clusterArn: "arn:b"))
        #expect(AWSCloudProvider.initialNodegroupToken(clusterArn: "arn:a").count == 32)
    }
}
