import CloudCore
import Diagnostics
import Foundation
import Testing
import TestSupport
@testable import AWSProvider

/// `EC2Client` and `STSClient` against moto over real HTTP, with moto checking every SigV4
/// signature (`scripts/moto-server`): what the unit tests script, a server that refuses a
/// wrongly encoded body or a wrong key must accept.
///
/// Serialized: moto's server answers HTTP 500 now and then when one client lists while
/// another terminates, and each test takes well under a second once the shared server is up.
/// Tests keep apart by the tags they put on their instances. Nothing here can reach AWS:
/// every client's endpoint is moto's loopback address, and plain http anywhere else is
/// refused by the transport.
@Suite(.serialized) struct MotoIntegrationTests {
    /// One of the AMIs moto serves in every region.
    static let image = "ami-03cf127a"
    private let quiet = Logger(label: "test", sink: LogSink(fileDescriptor: 2, level: .off))

    /// An EC2 client and an STS client on one server, and the chain the EC2 client signs with.
    private struct Clients {
        var ec2: EC2Client
        var sts: STSClient
        var chain: AWSCredentialChain
    }

    /// Clients for `moto`, signing with `settings` (default: the bootstrapped user's keys).
    private func clients(_ moto: MotoServer, settings: AWSCredentialChain.Settings? = nil) -> Clients {
        let endpoints = AWSEndpoints(region: moto.state.region, override: moto.state.endpoint, environment: [:])
        let transport = CurlTransport(requestTimeout: 30)
        let retry = RetryPolicy(maxAttempts: 3, base: .milliseconds(50))
        let sts = STSClient(transport: transport, endpoints: endpoints, retry: retry, logger: quiet)
        let chain = AWSCredentialChain(settings: settings ?? .init(accessKeyId: moto.state.accessKeyId, secretAccessKey: moto.state.secretAccessKey),
                                       environment: ["HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true"],
                                       metadataTransport: transport, sts: sts, logger: quiet)
        let ec2 = EC2Client(client: AWSClient(transport: transport, credentials: chain, endpoints: endpoints, retry: retry, logger: quiet))
        return Clients(ec2: ec2, sts: sts, chain: chain)
    }

    private func launch(_ ec2: EC2Client, _ moto: MotoServer, tags: [String: String]) async throws -> EC2Instance {
        try await ec2.runInstance(imageId: Self.image, instanceType: "t3.micro", subnetId: moto.state.subnets.first, availabilityZone: nil,
                                  keyName: nil, userData: "#cloud-config\nruncmd: [\"echo ~>?\"]\n", tags: tags, clientToken: UUID().uuidString)
    }

    // MARK: - EC2

    @Test func anInstanceIsRunWithItsTagsAndFoundByIdAndByTag() async throws {
        let moto = try await MotoServer.shared()
        let ec2 = clients(moto).ec2
        let run = UUID().uuidString
        let tags = ["Name": "web server 1", "team": "caf\u{E9} \u{2615} + co", "run": run]
        let launched = try await launch(ec2, moto, tags: tags)
        #expect(launched.instanceId.hasPrefix("i-") && launched.imageId == Self.image && launched.instanceType == "t3.micro")
        #expect(launched.tags == tags)

        let byId = try await ec2.describeInstances(ids: [launched.instanceId])
        #expect(byId.instances.map(\.instanceId) == [launched.instanceId])
        #expect(byId.instances.first?.tags == tags)
        #expect(byId.instances.first?.privateIP != nil)

        // Filter values with a space, a plus and non-ASCII letters must reach moto spelled as signed.
        let byTag = try await ec2.describeInstances(filters: [("tag:Name", ["web server 1"]), ("tag:team", [tags["team"]!]), ("tag:run", [run])])
        #expect(byTag.instances.map(\.instanceId) == [launched.instanceId])
        #expect(try await ec2.describeInstances(filters: [("tag:Name", ["web server 2"]), ("tag:run", [run])]).instances.isEmpty)

        _ = try await ec2.terminateInstances([launched.instanceId])
    }

    @Test func describePagesFiveAtATimeAcrossMoreThanFiveInstances() async throws {
        let moto = try await MotoServer.shared()
        let ec2 = clients(moto).ec2
        let batch = UUID().uuidString
        var launched: [String] = []
        for index in 0..<7 {
            launched.append(try await launch(ec2, moto, tags: ["Name": "page \(index)", "batch": batch]).instanceId)
        }
        var seen: [String] = []
        var pageSizes: [Int] = []
        var token: String?
        repeat {
            let page = try await ec2.describeInstances(filters: [("tag:batch", [batch])], maxResults: 5, nextToken: token)
            seen += page.instances.map(\.instanceId)
            pageSizes.append(page.instances.count)
            token = page.nextToken
        } while token != nil && pageSizes.count < 10
        #expect(pageSizes == [5, 2])
        #expect(seen.sorted() == launched.sorted())

        let terminated = try await ec2.terminateInstances(launched)
        #expect(Set(terminated.map(\.instanceId)) == Set(launched))
    }

    @Test func anInstanceIsStoppedStartedAndTerminated() async throws {
        let moto = try await MotoServer.shared()
        let ec2 = clients(moto).ec2
        let id = try await launch(ec2, moto, tags: ["Name": "lifecycle \(UUID().uuidString.prefix(8))"]).instanceId
        func state() async throws -> String? { try await ec2.describeInstances(ids: [id]).instances.first?.state }
        #expect(try await state() == "running")

        let stopping = try await ec2.stopInstance(id)
        #expect(stopping.instanceId == id && stopping.previousState == "running" && ["stopping", "stopped"].contains(stopping.currentState))
        #expect(try await state() == "stopped")

        let starting = try await ec2.startInstance(id)
        #expect(starting.previousState == "stopped" && ["pending", "running"].contains(starting.currentState))
        #expect(try await state() == "running")

        let terminating = try await ec2.terminateInstance(id)
        #expect(terminating.previousState == "running" && ["shutting-down", "terminated"].contains(terminating.currentState))
        #expect(try await state() == "terminated")

        // EC2 refuses to start a terminated instance (IncorrectInstanceState, a conflict: see
        // EC2ClientTests); moto 5 restarts it, so that is not asked of moto here.
        await #expect(throws: CloudProviderError.notFound(resourceType: "instance", name: "i-0123456789abcdef0")) {
            try await ec2.describeInstances(ids: ["i-0123456789abcdef0"])
        }
    }

    // MARK: - STS

    @Test func anAssumedRolesTemporaryCredentialsSignEC2Calls() async throws {
        let moto = try await MotoServer.shared()
        let user = AWSCredentials(accessKeyId: moto.state.accessKeyId, secretAccessKey: moto.state.secretAccessKey)
        let sts = clients(moto).sts

        let mine = try await sts.callerIdentity(with: user)
        #expect(mine.arn.hasSuffix(":user/cloud-agent-test"))
        if let userArn = moto.state.userArn { #expect(mine.arn == userArn) }

        let assumed = try await sts.assumeRole(with: user, roleArn: moto.state.roleArn, sessionName: "moto-test", externalId: "ext-1",
                                               durationSeconds: 900)
        #expect(assumed.accessKeyId != user.accessKeyId && assumed.sessionToken?.isEmpty == false)
        let lifetime = try #require(assumed.expiration).timeIntervalSinceNow
        #expect(lifetime > 800 && lifetime <= 905, "DurationSeconds=900 gives about 15 minutes, not \(lifetime) s")

        let role = moto.state.roleArn.split(separator: "/").last.map(String.init) ?? ""
        let identity = try await sts.callerIdentity(with: assumed)
        #expect(identity.arn.contains(":assumed-role/\(role)/moto-test"), "got \(identity.arn)")
        #expect(identity.account == mine.account)

        // The temporary keys (with their session token) sign an EC2 call moto verifies.
        let direct = clients(moto, settings: .init(accessKeyId: assumed.accessKeyId, secretAccessKey: assumed.secretAccessKey,
                                                   sessionToken: assumed.sessionToken))
        _ = try await direct.ec2.describeInstances(filters: [("tag:Name", ["no such instance"])])
    }

    @Test func theCredentialChainAssumesItsRoleForEC2() async throws {
        let moto = try await MotoServer.shared()
        let viaRole = clients(moto, settings: .init(accessKeyId: moto.state.accessKeyId, secretAccessKey: moto.state.secretAccessKey,
                                                    roleArn: moto.state.roleArn))
        let launched = try await launch(viaRole.ec2, moto, tags: ["Name": "via role"])
        #expect(try await viaRole.ec2.describeInstances(ids: [launched.instanceId]).instances.first?.tags["Name"] == "via role")
        guard case .assumedRole(let arn, _)? = await viaRole.chain.source else {
            Issue.record("expected the chain to have assumed \(moto.state.roleArn), got \(String(describing: await viaRole.chain.source))")
            return
        }
        #expect(arn == moto.state.roleArn)
        let credentials = try await viaRole.chain.credentials()
        #expect(try await viaRole.sts.callerIdentity(with: credentials).arn.contains(":assumed-role/"))
        _ = try await viaRole.ec2.terminateInstance(launched.instanceId)
    }

    // MARK: - Refusals

    @Test func aWrongSecretIsUnauthenticatedAtOnce() async throws {
        let moto = try await MotoServer.shared()
        let wrong = String(moto.state.secretAccessKey.dropLast(4)) + (moto.state.secretAccessKey.hasSuffix("AAAA") ? "BBBB" : "AAAA")
        let refused = clients(moto, settings: .init(accessKeyId: moto.state.accessKeyId, secretAccessKey: wrong))
        let start = ContinuousClock.now

        guard case .unauthenticated? = await error({ try await refused.ec2.describeInstances(filters: [("tag:Name", ["web server 1"])]) }) else {
            Issue.record("EC2 must refuse a wrong secret as unauthenticated")
            return
        }
        let keys = AWSCredentials(accessKeyId: moto.state.accessKeyId, secretAccessKey: wrong)
        guard case .unauthenticated? = await error({ try await refused.sts.callerIdentity(with: keys) }) else {
            Issue.record("STS must refuse a wrong secret as unauthenticated")
            return
        }
        guard case .unauthenticated? = await error({
            try await refused.sts.assumeRole(with: keys, roleArn: moto.state.roleArn, sessionName: "s", externalId: nil)
        }) else {
            Issue.record("AssumeRole with a wrong secret must be unauthenticated")
            return
        }
        #expect(ContinuousClock.now - start < .seconds(5), "refusals are not retried")
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

/// `MotoServer` itself: a server of its own starts, and goes away when its stdin closes
/// (apart from the integration suite, so the two startups overlap).
@Suite struct MotoServerTests {
    @Test func aServerOfItsOwnExitsWhenItsStdinCloses() async throws {
        let server = try await onOwnThread { Result { () throws(MotoServer.StartFailure) -> MotoServer in try MotoServer.start() } }.get()
        #expect(server.isRunning)
        #expect(!FileManager.default.fileExists(atPath: server.stateFile), "the secret does not stay on disk")
        #expect(server.state.endpoint.host == "127.0.0.1" && server.state.subnets.count >= 2 && server.state.roleArn.hasPrefix("arn:aws:iam::"))
        let start = ContinuousClock.now
        await onOwnThread { server.stop() }
        // stop() closes stdin, sends SIGTERM after 5 s and SIGKILL after 10 s: well under 10 s
        // means the server went by itself or on SIGTERM, never needing to be killed.
        #expect(ContinuousClock.now - start < .seconds(10), "it exits on end of stdin, without needing SIGKILL")
        #expect(!server.isRunning)
        await #expect(throws: HTTPTransportError.self) {
            try await CurlTransport(requestTimeout: 5).send(HTTPRequest(method: "GET", url: server.state.endpoint))
        }
    }
}
