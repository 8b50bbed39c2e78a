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

/// UpdateClusterVersion, UpdateNodegroupVersion and DescribeUpdate are not in moto: the update
/// tracking runs against bodies shaped as the EKS API reference documents them.
@Suite struct AWSCloudProviderUpgradeTests {
    /// A provider on `transport`; its endpoint is a loopback address never connected to (the
    /// transport answers), so it polls as against a test server.
    static func provider(_ transport: any HTTPTransport) -> AWSCloudProvider {
        AWSCloudProvider(
            configuration: ProviderConfiguration(name: "prod", kind: .aws, region: "eu-west-1",
                                                 settings: ["accessKeyId": .string("AKIDEXAMPLE"), "secretAccessKey": .string("secret"),
                                                            "endpointURL": .string("http://127.0.0.1:9")]),
            environment: ["HOME": "/nonexistent"], logger: Logger(label: "t", sink: LogSink(fileDescriptor: 2, level: .off)),
            transport: transport, metadataTransport: transport)
    }

    static func fake(_ groups: [String: String], clusterVersion: String = "1.30") -> FakeEKSUpdates {
        FakeEKSUpdates(clusterVersion: clusterVersion, nodegroups: groups.mapValues { FakeEKSUpdates.Nodegroup(version: $0) })
    }

    @Test func theNodeGroupsFollowTheControlPlaneOneAtATime() async throws {
        let eks = Self.fake(["default": "1.30", "batch": "1.30", "old": "1.29"])
        eks.state.withLock { $0.nodegroups["broken"] = .init(version: "1.30", status: "CREATE_FAILED") }
        let aws = Self.provider(eks)
        let upgrading = try await aws.upgradeCluster(name: "prod", version: "1.31", nodePools: nil)
        #expect(upgrading.status == .updating && upgrading.statusMessage == "upgrading control plane to 1.31")
        await aws.finishBackgroundWork()
        let state = eks.state.withLock { $0 }
        // The control plane first, then the active groups by name; the failed one is left alone.
        #expect(state.started == ["cluster→1.31", "batch→1.31", "default→1.31", "old→1.31"])
        #expect(state.mostInProgress == 1)
        #expect(state.nodegroups.mapValues(\.version) == ["default": "1.31", "batch": "1.31", "old": "1.31", "broken": "1.30"])
        let done = try await aws.getCluster(name: "prod")
        #expect(done.status == .active && done.version == "1.31")
        #expect(await aws.backgroundWork().isEmpty)
        // Nothing is behind any more: asking again changes nothing.
        _ = try await aws.upgradeCluster(name: "prod", version: "1.31", nodePools: true)
        #expect(await aws.backgroundWork().isEmpty)
        #expect(eks.state.withLock { $0.started.count } == 4)
    }

    @Test func theClusterSaysWhichNodeGroupIsBeingUpgraded() async throws {
        let eks = Self.fake(["a": "1.30", "b": "1.30"])
        eks.state.withLock { $0.held = ["b"] }
        let aws = Self.provider(eks)
        _ = try await aws.upgradeCluster(name: "prod", version: "1.31", nodePools: true)
        var seen: KubernetesCluster?
        for _ in 0..<600 {  // Until the upgrade reaches group b (it waits there while held).
            let cluster = try await aws.getCluster(name: "prod")
            if cluster.statusMessage?.contains("node group b") == true { seen = cluster; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let cluster = try #require(seen)
        #expect(cluster.status == .updating && cluster.statusMessage == "upgrading node group b to 1.31 (2 of 2)")
        #expect(cluster.nodePools.first { $0.name == "b" }?.status == .updating)
        let work = await aws.backgroundWork()
        #expect(work == ["upgrade the node groups of cluster prod to 1.31"])
        #expect(try await aws.listClusters(PageRequest(limit: 10, pageToken: nil), region: nil).items.first?.status == .updating)
        eks.state.withLock { $0.held = [] }
        await aws.finishBackgroundWork()
        #expect(try await aws.getCluster(name: "prod").status == .active)
    }

    @Test func aFailedNodeGroupUpgradeStopsTheRestAndIsReportedOnce() async throws {
        let eks = Self.fake(["a": "1.30", "b": "1.30", "c": "1.30"])
        eks.state.withLock { $0.failing = ["b": "PodEvictionFailure"] }
        let aws = Self.provider(eks)
        _ = try await aws.upgradeCluster(name: "prod", version: "1.31", nodePools: nil)
        await aws.finishBackgroundWork()
        #expect(eks.state.withLock { $0.started } == ["cluster→1.31", "a→1.31", "b→1.31"])
        do {
            _ = try await aws.getCluster(name: "prod")
            Issue.record("the failed node group upgrade must reach the caller")
        } catch CloudProviderError.providerError(let failure) {
            #expect(failure.code == "OperationFailed")
            #expect(failure.message.contains("upgrading node group b to 1.31 failed: PodEvictionFailure: Reached max retries"))
        }
        let after = try await aws.getCluster(name: "prod")
        #expect(after.status == .active && after.version == "1.31")
        #expect(after.nodePools.map(\.version) == ["1.31", "1.30", "1.30"])
        // Asking again upgrades the groups still behind (b now, as its eviction may succeed).
        eks.state.withLock { $0.failing = [:] }
        let again = try await aws.upgradeCluster(name: "prod", version: "1.31", nodePools: nil)
        #expect(again.status == .updating && again.statusMessage == "upgrading node groups to 1.31")
        await aws.finishBackgroundWork()
        #expect(eks.state.withLock { $0.started } == ["cluster→1.31", "a→1.31", "b→1.31", "b→1.31", "c→1.31"])
        #expect(try await aws.getCluster(name: "prod").nodePools.allSatisfy { $0.version == "1.31" })
    }

    @Test func withoutNodePoolsOnlyTheControlPlaneIsUpgraded() async throws {
        let eks = Self.fake(["default": "1.30"])
        let aws = Self.provider(eks)
        _ = try await aws.upgradeCluster(name: "prod", version: "1.31", nodePools: false)
        #expect(await aws.backgroundWork().isEmpty)
        for _ in 0..<600 {
            if try await aws.getCluster(name: "prod").status == .active { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(eks.state.withLock { $0.started } == ["cluster→1.31"])
        let cluster = try await aws.getCluster(name: "prod")
        #expect(cluster.version == "1.31" && cluster.nodePools.map(\.version) == ["1.30"])
    }

    @Test func aBusyClusterIsWaitedFor() async throws {
        // Another client's update of group a is in progress when the agent's turn comes.
        let eks = Self.fake(["a": "1.31"], clusterVersion: "1.31")
        eks.state.withLock { state in
            state.nodegroups["a"]?.version = "1.30"
            state.updates["other"] = .init(id: "other", nodegroup: "a", version: "1.31", pollsLeft: 1)
        }
        let aws = Self.provider(eks)
        _ = try await aws.upgradeCluster(name: "prod", version: "1.31", nodePools: true)
        try await Task.sleep(for: .milliseconds(300))
        eks.state.withLock { $0.updates["other"]?.status = "Successful" }
        await aws.finishBackgroundWork()
        let state = eks.state.withLock { $0 }
        #expect(state.refusedInUse >= 1)
        #expect(state.started == ["a→1.31"])
        #expect(state.nodegroups["a"]?.version == "1.31")
    }

    @Test func anUpgradeIsTrackedByItsUpdateIdAndAFailureReachesTheCaller() async throws {
        let routes = EKSRoutes()
        let aws = AWSCloudProvider(
            configuration: ProviderConfiguration(name: "prod", kind: .aws, region: "eu-west-1",
                                                 settings: ["accessKeyId": .string("AKIDEXAMPLE"), "secretAccessKey": .string("secret")]),
            environment: ["HOME": "/nonexistent"], logger: Logger(label: "t", sink: LogSink(fileDescriptor: 2, level: .off)),
            transport: routes, metadataTransport: routes)
        let upgrading = try await aws.upgradeCluster(name: "prod", version: "1.31", nodePools: false)
        #expect(upgrading.status == .updating && upgrading.statusMessage == "upgrading control plane to 1.31")
        // Asking again for the same upgrade answers the cluster as it is.
        #expect(try await aws.upgradeCluster(name: "prod", version: "1.31", nodePools: false).status == .updating)
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
