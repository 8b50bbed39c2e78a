import CloudCore
import Foundation
import Testing
@testable import LocalProvider

@Suite struct LocalNodePoolAndInstanceTests {
    let directory = TemporaryDirectory()
    let clock = ManualClock()

    @Test func nodePoolsAreCreatedScaledAndDeleted() async throws {
        let provider = makeProvider(in: directory, clock: clock)
        _ = try await provider.createCluster(CreateClusterRequest(name: "demo"))
        let early = await providerError { try await provider.createNodePool(CreateNodePoolRequest(cluster: "demo", name: "gpu")) }
        #expect(early?.isConflict == true)
        clock.advance(3.1)
        let pool = try await provider.createNodePool(CreateNodePoolRequest(cluster: "demo", name: "gpu", nodeCount: 2, nodeType: "local.large", version: "1.32"))
        #expect(pool.status == .creating && pool.nodeCount == 2 && pool.version == "1.32" && pool.nodeType == "local.large")
        #expect(await providerError { try await provider.createNodePool(CreateNodePoolRequest(cluster: "demo", name: "gpu")) }?.isConflict == true)
        #expect(await providerError { try await provider.createNodePool(CreateNodePoolRequest(cluster: "demo", name: "old", version: "1.34")) }?.invalidField == "version")
        #expect(await providerError { try await provider.createNodePool(CreateNodePoolRequest(cluster: "demo", name: "gpu-1")) }?.invalidField == "name")
        clock.advance(1.6)
        #expect(try await provider.getNodePool(cluster: "demo", name: "gpu").status == .active)
        #expect(try await provider.listNodePools(cluster: "demo", page: PageRequest()).items.map(\.name) == ["default", "gpu"])

        let scaling = try await provider.scaleNodePool(cluster: "demo", name: "gpu", nodeCount: 5)
        #expect(scaling.status == .updating && scaling.statusMessage == "scaling from 2 to 5 nodes")
        #expect(await providerError { try await provider.scaleNodePool(cluster: "demo", name: "gpu", nodeCount: 6) }?.isConflict == true)
        clock.advance(1.1)
        let scaled = try await provider.scaleNodePool(cluster: "demo", name: "gpu", nodeCount: 5)
        #expect(scaled.status == .active && scaled.nodeCount == 5)

        #expect(try await provider.deleteNodePool(cluster: "demo", name: "gpu").status == .deleting)
        clock.advance(1.1)
        #expect(await providerError { try await provider.getNodePool(cluster: "demo", name: "gpu") }?.isNotFound == true)
        #expect(try await provider.getCluster(name: "demo").nodePools.map(\.name) == ["default"])
    }

    @Test func instancesFollowEC2sLifecycle() async throws {
        let provider = makeProvider(in: directory, clock: clock)
        let pending = try await provider.createInstance(CreateInstanceRequest(name: "web-1", zone: "local-1b", tags: ["role": "web"]))
        #expect(pending.id.hasPrefix("i-") && pending.id.count == 19)
        #expect(pending.state == .creating && pending.providerState == "pending")
        #expect(pending.publicIP == nil && pending.privateIP?.hasPrefix("10.") == true)
        #expect(pending.zone == "local-1b" && pending.instanceType == "local.small" && pending.image == "local-linux-24.04")
        #expect(await providerError { try await provider.stopInstance(id: pending.id) }?.isConflict == true)
        #expect(await providerError { try await provider.createInstance(CreateInstanceRequest(name: "web-1")) }?.isConflict == true)
        #expect(await providerError { try await provider.createInstance(CreateInstanceRequest(name: "web-2", zone: "mars-1a")) }?.invalidField == "zone")

        clock.advance(1.1)
        let running = try await provider.getInstance(id: pending.id)
        #expect(running.state == .running && running.publicIP?.hasPrefix("203.0.113.") == true)
        #expect(try await provider.startInstance(id: pending.id).state == .running)

        #expect(try await provider.stopInstance(id: pending.id).providerState == "stopping")
        clock.advance(1.1)
        let stopped = try await provider.getInstance(id: pending.id)
        #expect(stopped.state == .stopped && stopped.publicIP == nil)
        #expect(try await provider.stopInstance(id: pending.id).state == .stopped)

        #expect(try await provider.startInstance(id: pending.id).providerState == "pending")
        clock.advance(1.1)
        #expect(try await provider.getInstance(id: pending.id).state == .running)

        #expect(try await provider.terminateInstance(id: pending.id).providerState == "shutting-down")
        clock.advance(1.1)
        let terminated = try await provider.getInstance(id: pending.id)
        #expect(terminated.state == .deleted && terminated.providerState == "terminated" && terminated.publicIP == nil)
        #expect(await providerError { try await provider.startInstance(id: pending.id) }?.isConflict == true)
        #expect(try await provider.terminateInstance(id: pending.id).state == .deleted)
        // The name is free once the instance is terminated; the terminated one stays listed for an hour.
        _ = try await provider.createInstance(CreateInstanceRequest(name: "web-1"))
        #expect(try await provider.listInstances(PageRequest()).items.count == 2)
        clock.advance(3600)
        #expect(await providerError { try await provider.getInstance(id: pending.id) }?.isNotFound == true)
        #expect(try await provider.listInstances(PageRequest()).items.map(\.name) == ["web-1"])
    }

    @Test func waitsFollowTheResourceToItsTarget() async throws {
        let provider = makeProvider(in: directory, timeScale: 0.02)
        let created = try await provider.createCluster(CreateClusterRequest(name: "demo"))
        let active = try await provider.waitCluster(name: "demo", until: .ready, lastKnown: created, options: WaitOptions(timeout: .seconds(60)))
        #expect(active.status == .active)
        let deleting = try await provider.deleteCluster(name: "demo")
        let deleted = try await provider.waitCluster(name: "demo", until: .deleted, lastKnown: deleting, options: WaitOptions(timeout: .seconds(60)))
        #expect(deleted.status == .deleted && deleted.name == "demo")

        let instance = try await provider.createInstance(CreateInstanceRequest(name: "vm"))
        _ = try await provider.waitInstance(id: instance.id, until: .ready, lastKnown: instance, options: WaitOptions(timeout: .seconds(60)))
        let stopping = try await provider.stopInstance(id: instance.id)
        #expect(try await provider.waitInstance(id: instance.id, until: .stopped, lastKnown: stopping, options: WaitOptions(timeout: .seconds(60))).state == .stopped)
        let error = await providerError {
            try await provider.waitInstance(id: instance.id, until: .ready, lastKnown: nil, options: WaitOptions(timeout: .seconds(60)))
        }
        #expect(error?.isConflict == true)
    }
}
