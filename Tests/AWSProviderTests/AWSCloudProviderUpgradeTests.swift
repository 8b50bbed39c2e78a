import CloudCore
import Diagnostics
import Foundation
import Synchronization
import Testing
@testable import AWSProvider

/// Answers EKS calls by route; the update's status follows a script.
private final class EKSRoutes: HTTPTransport {
    let updateStatuses = Mutex<[String]>(["InProgress", "InProgress", "Failed"])

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let route = "\(request.method) \(request.url.path)"
        func ok(_ body: String) -> HTTPResponse { HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: Array(body.utf8)) }
        switch route {
        case "GET /clusters/prod":
            return ok(#"{"cluster": {"name": "prod", "arn": "arn:aws:eks:eu-west-1:012345678910:cluster/prod", "version": "1.30", "status": "ACTIVE", "endpoint": "https://x.eks.amazonaws.com", "certificateAuthority": {"data": "LS0t"}}}"#)
        case "GET /clusters/prod/node-groups":
            return ok(#"{"nodegroups": []}"#)
        case "POST /clusters/prod/updates":
            return ok(#"{"update": {"id": "u-1", "status": "InProgress", "type": "VersionUpdate"}}"#)
        case "GET /clusters/prod/updates/u-1":
            let status = updateStatuses.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] }
            let errors = status == "Failed" ? #", "errors": [{"errorCode": "InsufficientFreeAddresses", "errorMessage": "Not enough free IP addresses"}]"# : ""
            return ok(#"{"update": {"id": "u-1", "status": ""# + status + #"", "type": "VersionUpdate""# + errors + "}}")
        default:
            return HTTPResponse(status: 404, headers: ["x-amzn-ErrorType": "ResourceNotFoundException"], body: Array(#"{"message": "no route"}"#.utf8))
        }
    }
}

/// UpdateClusterVersion and DescribeUpdate are not in moto: the update tracking runs against
/// bodies shaped as the EKS API reference documents them.
@Suite struct AWSCloudProviderUpgradeTests {
    @Test func anUpgradeIsTrackedByItsUpdateIdAndAFailureReachesTheCaller() async throws {
        let routes = EKSRoutes()
        let aws = AWSCloudProvider(
            configuration: ProviderConfiguration(name: "prod", kind: .aws, region: "eu-west-1",
                                                 settings: ["accessKeyId": .string("AKIDEXAMPLE"), "secretAccessKey": .string("secret")]),
            environment: ["HOME": "/nonexistent"], logger: Logger(label: "t", sink: LogSink(fileDescriptor: 2, level: .off)),
            transport: routes, metadataTransport: routes)
        await #expect(throws: CloudProviderError.invalidRequest(field: "nodePools", reason: "cannot be true for the aws provider yet: it upgrades the control plane only (managed node groups keep their version)")) {
            try await aws.upgradeCluster(name: "prod", version: "1.31", nodePools: true)
        }
        let upgrading = try await aws.upgradeCluster(name: "prod", version: "1.31", nodePools: false)
        #expect(upgrading.status == .updating && upgrading.statusMessage == "upgrading control plane to 1.31")
        // Asking again for the same upgrade answers the cluster as it is.
        #expect(try await aws.upgradeCluster(name: "prod", version: "1.31").status == .updating)
        let during = try await aws.getCluster(name: "prod")
        #expect(during.status == .updating)
        do {
            _ = try await aws.getCluster(name: "prod")
            Issue.record("a failed update must reach the caller")
        } catch CloudProviderError.providerError(let failure) {
            #expect(failure.code == "InsufficientFreeAddresses")
            #expect(failure.message.contains("1.31") && failure.message.contains("Not enough free IP addresses"))
        }
        // Once reported, the cluster is itself again.
        #expect(try await aws.getCluster(name: "prod").status == .active)
    }
}
