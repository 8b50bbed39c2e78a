import CloudCore
import Foundation
import JSONRPC
import Testing
import TestSupport

/// What ARM refuses reaches the caller as invalid params naming the field, and a VM that
/// cannot be created leaves no network resources behind.
extension AzureEndToEndTests {
    @Test func aRefusedVirtualMachineLeavesNothingBehindAndNamesTheField() async throws {
        // Compute refuses an image it does not have (404 PlatformImageNotFound) once the public IP
        // and interface exist: both go again, through Network's long-running deletes (followed at
        // their Location here).
        let (agent, fake) = try await agent(operationDuration: .milliseconds(150))
        fake.answerWithLocationOnly()
        let error = try await agent.failure("createInstance", ["provider": "aks", "name": "web-1", "sshPublicKey": .string(Self.sshKey),
                                                               "subnet": .string(Self.subnet), "image": "Canonical:no-such-offer:server:latest"],
                                            code: Code.invalidParams, param: "image")
        #expect(error["message"]?.stringValue?.contains("PlatformImageNotFound") == true, "\(error)")
        #expect(fake.networkInterfaceNames(resourceGroup: "rg-test").isEmpty && fake.publicIPNames(resourceGroup: "rg-test").isEmpty)
        #expect(fake.receivedRequests.contains { $0.url.path.contains("/providers/Microsoft.Network/locations/eastus/operationResults/") })

        // Azure's Linux VMs take RSA and Ed25519 keys only: refused before anything is made.
        let ecdsa = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg= me@host"
        let puts = fake.receivedRequests.filter { $0.method == "PUT" }.count
        try await agent.failure("createInstance", ["provider": "aks", "name": "web-2", "sshPublicKey": .string(ecdsa),
                                                   "subnet": .string(Self.subnet)], code: Code.invalidParams, param: "sshPublicKey")
        #expect(fake.receivedRequests.filter { $0.method == "PUT" }.count == puts)
    }

    @Test func unknownRegionsAndVersionsAreInvalidParams() async throws {
        let (agent, fake) = try await agent(operationDuration: .milliseconds(100))
        let region = try await agent.failure("createCluster", ["provider": "aks", "name": "far", "region": "westmars"],
                                             code: Code.invalidParams, param: "region")
        #expect(region["message"]?.stringValue?.contains("LocationNotAvailableForResourceType") == true, "\(region)")
        let version = try await agent.failure("createCluster", ["provider": "aks", "name": "old", "version": "1.20"],
                                              code: Code.invalidParams, param: "version")
        #expect(version["message"]?.stringValue?.contains("K8sVersionNotSupported") == true, "\(version)")
        // A node pool may not run a newer Kubernetes than its control plane.
        _ = try await agent.result("createCluster", ["provider": "aks", "name": "demo", "version": "1.28", "wait": true])
        let newer = try await agent.failure("createNodePool", ["provider": "aks", "cluster": "demo", "name": "batch", "version": "1.29"],
                                            code: Code.invalidParams, param: "version")
        #expect(newer["message"]?.stringValue?.contains("NodePoolMcVersionIncompatible") == true, "\(newer)")
        #expect(try await agent.result("listNodePools", ["provider": "aks", "cluster": "demo"])["nodePools"]?.names == ["default"])
        #expect(!fake.receivedRequests.isEmpty)
    }
}
