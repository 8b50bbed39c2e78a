import CloudCore
import Foundation
import Testing
@testable import LocalProvider

@Suite struct LocalClusterTests {
    let directory = TemporaryDirectory()
    let clock = ManualClock()

    @Test func aClusterGoesThroughItsPhasesAtDemoPace() async throws {
        let provider = makeProvider(in: directory, clock: clock)
        let created = try await provider.createCluster(CreateClusterRequest(name: "demo", tags: ["team": "platform"]))
        #expect(created.status == .creating)
        #expect(created.statusMessage == "creating control plane")
        #expect(created.endpoint == nil)
        #expect(created.version == "1.33")
        #expect(created.region == "local-1")
        #expect(created.provider == "local" && created.cloud == .local)
        #expect(created.nodePools.map(\.name) == ["default"])
        #expect(created.nodePools[0].status == .creating)

        clock.advance(2.1)
        let midway = try await provider.getCluster(name: "demo")
        #expect(midway.status == .creating)
        #expect(midway.statusMessage == "creating node pool default")

        clock.advance(1.0)
        let active = try await provider.getCluster(name: "demo")
        #expect(active.status == .active && active.providerStatus == "ACTIVE")
        #expect(active.statusMessage == nil)
        #expect(active.endpoint?.hasSuffix(".invalid:6443") == true)
        #expect(active.nodePools.map(\.status) == [.active])
        #expect(active.nodePools[0].nodeCount == 3)
        #expect(active.nodePools[0].nodeType == "local.medium")
        #expect(active.tags == ["team": "platform"])
    }

    @Test func timeScaleZeroMakesEverythingInstant() async throws {
        let provider = makeProvider(in: directory, timeScale: 0, clock: clock)
        let created = try await provider.createCluster(CreateClusterRequest(name: "demo", nodeCount: 0))
        #expect(created.status == .active)
        #expect(created.nodePools.isEmpty)
        #expect(try await provider.deleteCluster(name: "demo").status == .deleted)
        #expect(await providerError { try await provider.getCluster(name: "demo") }?.isNotFound == true)
    }

    @Test func namesAreUniqueAndBusyClustersRefuseChanges() async throws {
        let provider = makeProvider(in: directory, clock: clock)
        _ = try await provider.createCluster(CreateClusterRequest(name: "demo"))
        #expect(await providerError { try await provider.createCluster(CreateClusterRequest(name: "demo")) }?.isConflict == true)
        #expect(await providerError { try await provider.deleteCluster(name: "demo") }?.isConflict == true)
        #expect(await providerError { try await provider.upgradeCluster(name: "demo", version: "1.34") }?.isConflict == true)
        #expect(await providerError { try await provider.getKubeconfig(cluster: "demo") }?.isConflict == true)
        #expect(await providerError { try await provider.getCluster(name: "other") }?.isNotFound == true)
    }

    @Test func theSimulatorEnforcesPortableNamesAndOfferedVersions() async throws {
        let provider = makeProvider(in: directory, clock: clock)
        #expect(await providerError { try await provider.createCluster(CreateClusterRequest(name: "Demo")) }?.invalidField == "name")
        #expect(await providerError { try await provider.createCluster(CreateClusterRequest(name: "demo", version: "1.20")) }?.invalidField == "version")
        #expect(await providerError { try await provider.createCluster(CreateClusterRequest(name: "demo", nodeCount: 101)) }?.invalidField == "nodeCount")
    }

    @Test func deletingAClusterDeletesItsNodePoolsThenTheControlPlane() async throws {
        let provider = makeProvider(in: directory, clock: clock)
        _ = try await provider.createCluster(CreateClusterRequest(name: "demo"))
        clock.advance(3.1)
        let deleting = try await provider.deleteCluster(name: "demo")
        #expect(deleting.status == .deleting && deleting.statusMessage == "deleting node pools")
        #expect(deleting.nodePools.map(\.status) == [.deleting])
        // Deleting again is safe to retry: the cluster as it is.
        #expect(try await provider.deleteCluster(name: "demo").status == .deleting)
        clock.advance(1.1)
        let later = try await provider.getCluster(name: "demo")
        #expect(later.statusMessage == "deleting control plane")
        #expect(later.nodePools.isEmpty)
        clock.advance(1.0)
        #expect(await providerError { try await provider.getCluster(name: "demo") }?.isNotFound == true)
        #expect(try await provider.listClusters(PageRequest()).items.isEmpty)
        // The name is free again.
        _ = try await provider.createCluster(CreateClusterRequest(name: "demo"))
    }

    @Test func upgradesGoOneMinorVersionAtATime() async throws {
        let provider = makeProvider(in: directory, clock: clock)
        _ = try await provider.createCluster(CreateClusterRequest(name: "demo", version: "1.32"))
        clock.advance(3.1)
        #expect(try await provider.availableVersions(cluster: "demo").map(\.version) == ["1.33"])
        #expect(try await provider.availableVersions(cluster: nil).map(\.version) == ["1.31", "1.32", "1.33", "1.34"])
        #expect(await providerError { try await provider.upgradeCluster(name: "demo", version: "1.34") }?.invalidField == "version")
        #expect(await providerError { try await provider.upgradeCluster(name: "demo", version: "1.31") }?.invalidField == "version")
        let unchanged = try await provider.upgradeCluster(name: "demo", version: "1.32")
        #expect(unchanged.status == .active)

        let upgrading = try await provider.upgradeCluster(name: "demo", version: "1.33")
        #expect(upgrading.status == .updating && upgrading.statusMessage == "upgrading control plane to 1.33")
        #expect(upgrading.version == "1.32")
        clock.advance(1.6)
        let pools = try await provider.getCluster(name: "demo")
        #expect(pools.version == "1.33" && pools.statusMessage == "upgrading node pools to 1.33")
        #expect(pools.nodePools[0].status == .updating && pools.nodePools[0].version == "1.32")
        clock.advance(1.0)
        let done = try await provider.getCluster(name: "demo")
        #expect(done.status == .active && done.version == "1.33")
        #expect(done.nodePools[0].version == "1.33" && done.nodePools[0].status == .active)
    }

    @Test func theControlPlaneAloneMayRunAheadWithinTheSkewAndARetryUpgradesThePools() async throws {
        let provider = makeProvider(in: directory, clock: clock)
        _ = try await provider.createCluster(CreateClusterRequest(name: "demo", version: "1.31"))
        clock.advance(3.1)
        let upgrading = try await provider.upgradeCluster(name: "demo", version: "1.32", nodePools: false)
        #expect(upgrading.status == .updating && upgrading.statusMessage == "upgrading control plane to 1.32")
        #expect(upgrading.nodePools[0].status == .active)
        clock.advance(1.6)
        let controlPlaneOnly = try await provider.getCluster(name: "demo")
        #expect(controlPlaneOnly.status == .active && controlPlaneOnly.version == "1.32" && controlPlaneOnly.nodePools[0].version == "1.31")
        _ = try await provider.upgradeCluster(name: "demo", version: "1.33", nodePools: false)
        clock.advance(1.6)
        // Nodes two minor versions behind are allowed; three are not.
        #expect(await providerError { try await provider.upgradeCluster(name: "demo", version: "1.34", nodePools: false) }?.invalidField == "nodePools")
        #expect(try await provider.upgradeCluster(name: "demo", version: "1.33", nodePools: false).status == .active, "nothing to do")

        let pools = try await provider.upgradeCluster(name: "demo", version: "1.33")
        #expect(pools.status == .updating && pools.statusMessage == "upgrading node pools to 1.33")
        #expect(pools.nodePools[0].status == .updating)
        #expect(try await provider.upgradeCluster(name: "demo", version: "1.33").statusMessage == "upgrading node pools to 1.33", "asked again: as it is")
        clock.advance(1.0)
        let done = try await provider.getCluster(name: "demo")
        #expect(done.status == .active && done.nodePools[0].version == "1.33")
        #expect(try await provider.upgradeCluster(name: "demo", version: "1.33").status == .active)
    }

    @Test func aSimulatedFailureEndsInTheFailedState() async throws {
        let provider = makeProvider(in: directory, clock: clock)
        _ = try await provider.createCluster(CreateClusterRequest(name: "doomed", tags: ["local:simulate": "failure"]))
        clock.advance(3.1)
        let failed = try await provider.getCluster(name: "doomed")
        #expect(failed.status == .failed && failed.providerStatus == "FAILED")
        #expect(failed.statusMessage?.contains("simulated failure") == true)
        #expect(try await provider.deleteCluster(name: "doomed").status == .deleting)
    }

    @Test func listsArePagedInNameOrder() async throws {
        let provider = makeProvider(in: directory, timeScale: 0, clock: clock)
        for name in ["e", "a", "d", "b", "c"] {
            _ = try await provider.createCluster(CreateClusterRequest(name: "c-\(name)", nodeCount: 0))
        }
        var names: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let page = try await provider.listClusters(PageRequest(limit: 2, pageToken: token))
            names += page.items.map(\.name)
            token = page.nextPageToken
            pages += 1
        } while token != nil
        #expect(names == ["c-a", "c-b", "c-c", "c-d", "c-e"])
        #expect(pages == 3)
        #expect(await providerError { try await provider.listClusters(PageRequest(limit: 2, pageToken: "bogus")) }?.invalidField == "pageToken")
    }

    @Test func theKubeconfigNamesTheClusterAndMarksItsPlaceholders() async throws {
        let provider = makeProvider(in: directory, timeScale: 0, clock: clock)
        _ = try await provider.createCluster(CreateClusterRequest(name: "demo"))
        let kubeconfig = try await provider.getKubeconfig(cluster: "demo")
        let endpoint = try #require(try await provider.getCluster(name: "demo").endpoint)
        #expect(kubeconfig.contains("server: \(endpoint)"))
        #expect(kubeconfig.contains("current-context: local-demo"))
        #expect(kubeconfig.contains("placeholder"))
    }
}
