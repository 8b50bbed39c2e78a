#if canImport(Glibc)
import Glibc
#endif
import CloudCore
import Foundation
import Testing
@testable import LocalProvider

@Suite struct LocalStateFileTests {
    let directory = TemporaryDirectory()
    let clock = ManualClock()

    @Test func resourcesSurviveANewProviderAndTheFileIsPrivate() async throws {
        let first = makeProvider(in: directory, timeScale: 0, clock: clock)
        let cluster = try await first.createCluster(CreateClusterRequest(name: "demo"))
        let instance = try await first.createInstance(CreateInstanceRequest(name: "vm"))
        let second = makeProvider(in: directory, timeScale: 0, clock: clock)
        #expect(try await second.getCluster(name: "demo").id == cluster.id)
        #expect(try await second.getInstance(id: instance.id).name == "vm")
        var info = stat()
        #expect(stat(first.stateFilePath, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        #expect(stat(AtomicFile.parentDirectory(of: first.stateFilePath), &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
    }

    @Test func providersSharingAFileSeeEachOthersChanges() async throws {
        // Two providers on one file stand for two agent processes.
        let one = makeProvider(in: directory, timeScale: 0, clock: clock)
        let two = makeProvider(in: directory, timeScale: 0, clock: clock)
        _ = try await one.createCluster(CreateClusterRequest(name: "a"))
        _ = try await two.createCluster(CreateClusterRequest(name: "b"))
        _ = try await one.createCluster(CreateClusterRequest(name: "c"))
        #expect(try await two.listClusters(PageRequest()).items.map(\.name) == ["a", "b", "c"])
        #expect(await providerError { try await two.createCluster(CreateClusterRequest(name: "c")) }?.isConflict == true)
        _ = try await two.deleteCluster(name: "a")
        #expect(await providerError { try await one.getCluster(name: "a") }?.isNotFound == true)
    }

    @Test func aCorruptFileIsMovedAsideNotLost() async throws {
        let provider = makeProvider(in: directory, timeScale: 0, clock: clock)
        try AtomicFile.createDirectories(AtomicFile.parentDirectory(of: provider.stateFilePath))
        try AtomicFile.write(Array("{not json".utf8), to: provider.stateFilePath)
        #expect(try await provider.listClusters(PageRequest()).items.isEmpty)
        let folder = AtomicFile.parentDirectory(of: provider.stateFilePath)
        let aside = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".corrupt-") }
        #expect(aside.count == 1)
        #expect(try AtomicFile.read("\(folder)/\(aside[0])") == Array("{not json".utf8))
        _ = try await provider.createCluster(CreateClusterRequest(name: "fresh"))
        #expect(try await makeProvider(in: directory, timeScale: 0, clock: clock).getCluster(name: "fresh").name == "fresh")
    }

    @Test func aFileFromAnotherFormatVersionIsMovedAside() async throws {
        let provider = makeProvider(in: directory, timeScale: 0, clock: clock)
        try AtomicFile.write(Array(#"{"formatVersion": 99, "clusters": {}, "instances": {}}"#.utf8), to: provider.stateFilePath)
        #expect(try await provider.listClusters(PageRequest()).items.isEmpty)
        let folder = AtomicFile.parentDirectory(of: provider.stateFilePath)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).contains { $0.contains(".corrupt-") })
    }
}
