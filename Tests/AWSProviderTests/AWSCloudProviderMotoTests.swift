#if canImport(Glibc)
import Glibc
#endif
import CloudCore
import Diagnostics
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import AWSProvider

private final class Phases: Sendable {
    let seen = Mutex<[String]>([])
    func record(_ event: WaitProgress) { seen.withLock { $0.append(event.phase) } }
}

@Suite(.serialized) struct AWSCloudProviderMotoTests {
    let quiet = Logger(label: "test", sink: LogSink(fileDescriptor: 2, level: .off))

    private func moto() async throws -> MotoServer {
        try await MotoServer.shared("provider")
    }

    private func provider(_ moto: MotoServer, secret: String? = nil, extra: [String: SettingValue] = [:],
                          stateDirectory: String? = nil) -> AWSCloudProvider {
        var settings: [String: SettingValue] = [
            "accessKeyId": .string(moto.accessKeyId), "secretAccessKey": .string(secret ?? moto.secretAccessKey),
            "eksRoleArn": .string(moto.eksRoleArn), "nodeRoleArn": .string(moto.nodeRoleArn),
            "endpointURL": .string(moto.endpoint),
        ]
        settings.merge(extra) { _, new in new }
        return AWSCloudProvider(configuration: ProviderConfiguration(name: "moto", kind: .aws, region: moto.region, settings: settings),
                                environment: ["HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"], logger: quiet,
                                stateDirectory: stateDirectory)
    }

    @Test func aClusterWithANodeGroupIsCreatedWaitedForScaledAndDeleted() async throws {
        let moto = try await moto()
        let aws = provider(moto)
        let name = "demo-\(UUID().uuidString.prefix(6).lowercased())"
        let created = try await aws.createCluster(CreateClusterRequest(name: name, version: "1.30", nodeCount: 2, nodeType: "t3.large",
                                                                      subnets: Array(moto.subnets.prefix(2)), tags: ["team": "platform"]))
        #expect(created.name == name && created.cloud == .aws && created.provider == "moto")
        let phases = Phases()
        let ready = try await aws.waitCluster(name: name, until: .ready, lastKnown: created,
                                              options: WaitOptions(timeout: .seconds(60), onProgress: phases.record))
        #expect(ready.status == .active)
        #expect(ready.nodePools.map(\.name) == ["default"])
        #expect(ready.nodePools.first?.nodeCount == 2 && ready.nodePools.first?.nodeType == "t3.large")
        #expect(ready.tags["team"] == "platform")
        #expect(ready.id.hasPrefix("arn:aws:eks:"))

        let kubeconfig = try await aws.getKubeconfig(cluster: name)
        #expect(kubeconfig.contains("certificate-authority-data:") && kubeconfig.contains("\"token\"") && kubeconfig.contains("\"eks\""))

        let scaling = try await aws.scaleNodePool(cluster: name, name: "default", nodeCount: 3)
        #expect(scaling.name == "default")
        #expect(try await aws.getNodePool(cluster: name, name: "default").nodeCount == 3)

        let deleting = try await aws.deleteCluster(name: name)
        #expect(deleting.status == .deleting)
        let deleted = try await aws.waitCluster(name: name, until: .deleted, lastKnown: deleting, options: WaitOptions(timeout: .seconds(60)))
        #expect(deleted.status == .deleted)
        await #expect(throws: CloudProviderError.notFound(resourceType: "cluster", name: name)) { try await aws.getCluster(name: name) }
    }

    /// An agent that began a cluster and went away before adding its node group: the step it
    /// wrote to the journal lets a fresh provider (another agent) take it up when it looks.
    @Test func anotherAgentTakesUpTheStepsInTheJournal() async throws {
        let moto = try await moto()
        let state = "\(NSTemporaryDirectory())/journal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: state) }
        let first = provider(moto, stateDirectory: state)
        let name = "resume-\(UUID().uuidString.prefix(6).lowercased())"
        first.journal.put(.init(kind: .createInitialNodegroup, cluster: name, region: moto.region, nodeCount: 2, nodeType: "t3.large"))
        _ = try await first.eks.createCluster(EKSCreateClusterBody(
            name: name, version: "1.30", roleArn: moto.eksRoleArn,
            resourcesVpcConfig: .init(subnetIds: Array(moto.subnets.prefix(2)), securityGroupIds: nil, endpointPublicAccess: true,
                                      endpointPrivateAccess: nil),
            tags: ["team": "platform"], clientRequestToken: UUID().uuidString))
        var info = stat()
        #expect(stat("\(state)/aws/moto.json", &info) == 0 && info.st_mode & 0o777 == 0o600, "the journal is private")

        let second = provider(moto, stateDirectory: state)
        let seen = try await second.getCluster(name: name)
        #expect(seen.status == .creating && seen.statusMessage == "creating node group default")
        let ready = try await second.waitCluster(name: name, until: .ready, lastKnown: seen, options: WaitOptions(timeout: .seconds(60)))
        #expect(ready.status == .active)
        #expect(ready.nodePools.map(\.name) == ["default"] && ready.nodePools.first?.nodeCount == 2 && ready.nodePools.first?.nodeType == "t3.large")
        #expect(second.journal.entries(cluster: name, region: moto.region).isEmpty, "the step leaves the journal once seen through")
        #expect(await second.backgroundWork().isEmpty)

        // The same for deletion: node groups deleted, the cluster left behind.
        first.journal.put(.init(kind: .deleteAfterNodegroups, cluster: name, region: moto.region))
        _ = try await first.eks.deleteNodegroup(cluster: name, name: "default")
        let third = provider(moto, stateDirectory: state)
        #expect(try await third.getCluster(name: name).status == .deleting)
        await third.finishBackgroundWork()
        await #expect(throws: CloudProviderError.notFound(resourceType: "cluster", name: name)) { try await third.getCluster(name: name) }
        #expect(third.journal.entries(cluster: name, region: moto.region).isEmpty)
    }

    @Test func listsPageAcrossClusters() async throws {
        let moto = try await moto()
        let aws = provider(moto)
        let names = (0..<3).map { "page-\($0)-\(UUID().uuidString.prefix(4).lowercased())" }
        for name in names {
            _ = try await aws.createCluster(CreateClusterRequest(name: name, nodeCount: 0, subnets: Array(moto.subnets.prefix(2))))
        }
        var seen: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await aws.listClusters(PageRequest(limit: 2, pageToken: token))
            seen += page.items.map(\.name)
            token = page.nextPageToken
            pages += 1
        } while token != nil && pages < 50
        #expect(Set(names).isSubset(of: Set(seen)))
        #expect(seen.count == Set(seen).count, "no cluster listed twice")
        #expect(pages >= 2)
        for name in names { _ = try await aws.deleteCluster(name: name) }
    }

    @Test func missingSettingsAndBadRequestsAreNamed() async throws {
        let moto = try await moto()
        let aws = AWSCloudProvider(configuration: ProviderConfiguration(name: "bare", kind: .aws, region: moto.region, settings: [
            "accessKeyId": .string(moto.accessKeyId), "secretAccessKey": .string(moto.secretAccessKey),
            "endpointURL": .string(moto.endpoint),
        ]), environment: ["HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"], logger: quiet)
        await #expect(throws: CloudProviderError.invalidRequest(field: "eksRoleArn", reason: "is a setting the aws provider 'bare' needs to create EKS clusters (the control plane's IAM role); add it with configureProvider or the config file")) {
            try await aws.createCluster(CreateClusterRequest(name: "x", subnets: moto.subnets))
        }
        let withRole = provider(moto)
        guard case .invalidRequest(let field, _)? = await error({ try await withRole.createCluster(CreateClusterRequest(name: "x", subnets: ["subnet-1"])) }) else {
            Issue.record("expected invalid subnets")
            return
        }
        #expect(field == "subnets")
    }

    @Test func aWrongSecretIsRefusedAndNotRetriedForever() async throws {
        let moto = try await moto()
        let aws = provider(moto, secret: "not-the-secret-key-000000000000000000000")
        let start = ContinuousClock.now
        guard case .unauthenticated? = await error({ try await aws.listClusters(PageRequest()) }) else {
            Issue.record("expected unauthenticated")
            return
        }
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test func aRoleIsAssumedThroughSTS() async throws {
        let moto = try await moto()
        let aws = provider(moto, extra: ["roleArn": .string(moto.roleArn), "externalId": .string("ext-1")])
        _ = try await aws.listClusters(PageRequest())
        let source = await aws.credentials.source
        guard case .assumedRole(let arn, _)? = source else {
            Issue.record("expected an assumed role, got \(String(describing: source))")
            return
        }
        #expect(arn == moto.roleArn)
    }

    @Test func anInstanceIsRunStoppedStartedAndTerminated() async throws {
        let moto = try await moto()
        let aws = provider(moto)
        // One of the AMIs moto serves in every region.
        let launched = try await aws.createInstance(CreateInstanceRequest(
            name: "web server 1", image: "ami-03cf127a", instanceType: "t3.small", subnet: moto.subnets.first,
            sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl test@host",
            userData: "#cloud-config\npackages: [nginx]\n", tags: ["team": "web"]))
        #expect(launched.id.hasPrefix("i-") && launched.name == "web server 1" && launched.cloud == .aws)
        #expect(launched.instanceType == "t3.small" && launched.image == "ami-03cf127a")
        #expect(launched.tags["team"] == "web")
        let running = try await aws.waitInstance(id: launched.id, until: .ready, lastKnown: launched, options: WaitOptions(timeout: .seconds(60)))
        #expect(running.state == .running && running.providerState == "running" && running.privateIP != nil)

        let stopping = try await aws.stopInstance(id: launched.id)
        #expect(stopping.state == .stopping || stopping.state == .stopped)
        let stopped = try await aws.waitInstance(id: launched.id, until: .stopped, lastKnown: stopping, options: WaitOptions(timeout: .seconds(60)))
        #expect(stopped.state == .stopped)
        #expect(try await aws.stopInstance(id: launched.id).state == .stopped, "stopping a stopped instance answers it as it is")
        _ = try await aws.startInstance(id: launched.id)
        #expect(try await aws.waitInstance(id: launched.id, until: .ready, lastKnown: nil, options: WaitOptions(timeout: .seconds(60))).state == .running)

        let listed = try await aws.listInstances(PageRequest(limit: 1000))
        #expect(listed.items.contains { $0.id == launched.id && $0.name == "web server 1" })

        // A bigger root volume and no public address, as moto's EC2 takes them.
        var sized = CreateInstanceRequest(name: "web server 2", image: "ami-03cf127a", subnet: moto.subnets.first)
        sized.diskSizeGb = 64
        sized.publicIP = false
        let second = try await aws.createInstance(sized)
        #expect(second.id.hasPrefix("i-") && second.publicIP == nil)
        _ = try await aws.terminateInstance(id: second.id)

        let terminating = try await aws.terminateInstance(id: launched.id)
        #expect(terminating.state == .deleting || terminating.state == .deleted)
        let terminated = try await aws.waitInstance(id: launched.id, until: .deleted, lastKnown: terminating, options: WaitOptions(timeout: .seconds(60)))
        #expect(terminated.state == .deleted)
        guard case .conflict? = await error({ try await aws.startInstance(id: launched.id) }) else {
            Issue.record("starting a terminated instance must be a conflict")
            return
        }
        await #expect(throws: CloudProviderError.notFound(resourceType: "instance", name: "i-0123456789abcdef0")) {
            try await aws.getInstance(id: "i-0123456789abcdef0")
        }
        guard case .invalidRequest(let field, _)? = await error({ try await aws.createInstance(CreateInstanceRequest(name: "x")) }) else {
            Issue.record("an instance without an image must be refused")
            return
        }
        #expect(field == "image")
    }

    /// moto has no DescribeClusterVersions: the documented fallback list answers.
    @Test func versionsFallBackWhereTheAPIIsMissing() async throws {
        let moto = try await moto()
        let aws = provider(moto)
        let versions = try await aws.availableVersions(cluster: nil)
        #expect(versions == AWSCloudProvider.fallbackVersions)
        #expect(versions.filter(\.isDefault).count == 1)
        let name = "ver-\(UUID().uuidString.prefix(6).lowercased())"
        _ = try await aws.createCluster(CreateClusterRequest(name: name, version: "1.32", nodeCount: 0, subnets: Array(moto.subnets.prefix(2))))
        #expect(try await aws.availableVersions(cluster: name).map(\.version) == ["1.33"])
        _ = try await aws.deleteCluster(name: name)
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
