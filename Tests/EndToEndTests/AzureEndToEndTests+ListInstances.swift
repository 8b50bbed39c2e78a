import CloudCore
import Foundation
import JSONRPC
import Testing
import TestSupport

/// `listInstances` reads the group's VMs and the subscription's instance views
/// (`statusOnly=true`), each a list followed through its `nextLink`s, and no VM on its own.
extension AzureEndToEndTests {
    @Test func instancesAreListedFromTwoListsAndTheirPagesAddresses() async throws {
        let (agent, fake) = try await agent(operationDuration: .milliseconds(100))
        fake.setPageSize(2)
        for name in ["web-3", "web-1", "web-2"] {
            _ = try await agent.result("createInstance", ["provider": "aks", "name": .string(name), "sshPublicKey": .string(Self.sshKey),
                                                          "subnet": .string(Self.subnet), "publicIP": .bool(name != "web-2"), "tags": ["role": "web"]])
        }
        for name in ["web-1", "web-2", "web-3"] {
            #expect(try await agent.result("waitInstanceReady", ["provider": "aks", "id": .string(name)])["state"] == "running")
        }
        _ = try await agent.result("stopInstance", ["provider": "aks", "id": "web-2", "deallocate": true, "wait": true])

        let before = fake.receivedRequests.count
        let first = try await agent.result("listInstances", ["provider": "aks", "limit": 2])
        #expect(first["instances"]?.names == ["web-1", "web-2"])
        let web1 = try #require(first["instances"]?.arrayValue?.first)
        #expect(web1["state"] == "running" && web1["publicIP"]?.stringValue?.isEmpty == false && web1["privateIP"]?.stringValue?.isEmpty == false)
        let web2 = try #require(first["instances"]?.arrayValue?.last)
        #expect(web2["state"] == "stopped" && web2["providerState"] == "deallocated" && web2["publicIP"] == nil, "\(web2)")
        let token = try #require(first["nextPageToken"])
        #expect(try await agent.result("listInstances", ["provider": "aks", "limit": 2, "pageToken": token])["instances"]?.names == ["web-3"])
        #expect(try await agent.result("listInstances", ["provider": "aks", "states": ["stopped"], "tags": ["role": "web"]])["instances"]?.names
                    == ["web-2"])

        let listing = fake.receivedRequests.dropFirst(before)
        #expect(!listing.contains { $0.url.path.contains("/virtualMachines/") }, "no VM read on its own")
        #expect(listing.contains { $0.url.path == "/subscriptions/\(Self.subscription)/providers/Microsoft.Compute/virtualMachines"
                                   && $0.url.query?.contains("statusOnly=true") == true && $0.url.query?.contains("skipToken") == true },
                "the instance views' second page came through a nextLink that kept statusOnly")
    }
}
