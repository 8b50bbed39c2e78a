import CloudCore
import Foundation
import JSONRPC
import Testing
import TestSupport

/// Newer operations take over on Azure: a cluster delete preempts what runs on the cluster
/// (`AKSOperationPreemptedByDelete`), a VM's delete or power action the action under way
/// (`OperationPreempted`). What the agent was following then ends `Canceled`; the agent reports
/// the resource as the newer operation leaves it, not as failed.
extension AzureEndToEndTests {
    @Test func aDeleteTakesOverTheClusterOperationUnderWay() async throws {
        let (agent, fake) = try await agent()
        fake.holdOperations(kinds: ["createCluster", "deleteCluster"])
        _ = try await agent.result("createCluster", ["provider": "aks", "name": "brief", "nodeCount": 1])
        // AKS takes a delete while the create runs (no 409): the create is preempted.
        let deleting = try await agent.result("deleteCluster", ["provider": "aks", "name": "brief"])
        #expect(deleting["status"] == "deleting", "\(deleting)")

        // Another tool deletes a cluster the agent is creating: the agent reports the delete.
        _ = try await agent.result("createCluster", ["provider": "aks", "name": "taken", "nodeCount": 1])
        let answer = try await Self.armCall(fake, "DELETE", "Microsoft.ContainerService/managedClusters/taken", apiVersion: "2023-11-01")
        #expect(answer.status == 202)
        let seen = try await agent.result("getCluster", ["provider": "aks", "name": "taken"])
        #expect(seen["status"] == "deleting" && seen["providerStatus"] == "Deleting", "preempted by the delete, not failed: \(seen)")
        #expect(seen["statusMessage"]?.stringValue?.contains("preempted by Deleting operation") == true, "\(seen)")
        #expect(try await agent.result("listClusters", ["provider": "aks"])["clusters"]?.arrayValue?.allSatisfy { $0["status"] == "deleting" } == true)

        let deleted = try await Self.waits(of: agent, ["brief", "taken"].map { ("deleteCluster", ["provider": "aks", "name": .string($0), "wait": true]) },
                                           thenRelease: fake)
        #expect(deleted.allSatisfy { $0[path: "result", "status"] == "deleted" }, "\(deleted)")
    }

    /// Sends `calls` (waits on operations the fake holds) and, once each has reported what it
    /// waits on, lets the fake end them; answers their responses.
    static func waits(of agent: LocalAgent, _ calls: [(String, JSONValue)], thenRelease fake: FakeAzure) async throws -> [JSONValue] {
        let ids = calls.map { agent.send($0.0, $0.1) }
        for id in ids {
            _ = try await agent.connection.first { $0[path: "params", "token"] == .int(id) && $0[path: "params", "value", "kind"] == "report" }
        }
        fake.releaseOperations()
        var responses: [JSONValue] = []
        for id in ids { responses.append(try await agent.connection.response(id)) }
        return responses
    }

    @Test func aVirtualMachineDeletedOrStoppedByAnotherClientIsReportedAsItIs() async throws {
        let (agent, fake) = try await agent()
        // Deleted while it is being created: the delete preempts the create.
        fake.holdOperations(kinds: ["createVM", "deleteVM"])
        let creating = try await agent.result("createInstance", ["provider": "aks", "name": "vm-a", "sshPublicKey": .string(Self.sshKey),
                                                                 "subnet": .string(Self.subnet), "publicIP": false])
        #expect(creating["state"] == "creating")
        #expect(try await Self.armCall(fake, "DELETE", "Microsoft.Compute/virtualMachines/vm-a", apiVersion: "2023-09-01").status == 202)
        let deleting = try await agent.result("getInstance", ["provider": "aks", "id": "vm-a"])
        #expect(deleting["state"] == "deleting", "preempted by the delete, not failed: \(deleting)")
        let terminated = try await Self.waits(of: agent, [("terminateInstance", ["provider": "aks", "id": "vm-a", "wait": true])], thenRelease: fake)
        #expect(terminated.first?[path: "result", "state"] == "deleted", "\(terminated)")

        // Deallocated by someone else while the agent starts it: the start was preempted, which
        // is no failure of the agent's; the VM is what the newer action makes it.
        _ = try await agent.result("createInstance", ["provider": "aks", "name": "vm-b", "sshPublicKey": .string(Self.sshKey),
                                                      "subnet": .string(Self.subnet), "publicIP": false, "wait": true])
        _ = try await agent.result("stopInstance", ["provider": "aks", "id": "vm-b", "deallocate": true, "wait": true])
        fake.holdOperations(kinds: ["start", "deallocate"])
        #expect(try await agent.result("startInstance", ["provider": "aks", "id": "vm-b"])["providerState"] == "starting")
        #expect(try await Self.armCall(fake, "POST", "Microsoft.Compute/virtualMachines/vm-b/deallocate", apiVersion: "2023-09-01").status == 202)
        let preempted = try await agent.result("getInstance", ["provider": "aks", "id": "vm-b"])
        #expect(preempted["state"] == "stopping" && preempted["providerState"] == "deallocating", "\(preempted)")
        fake.releaseOperations()
        let stopped = try await agent.result("stopInstance", ["provider": "aks", "id": "vm-b", "deallocate": true, "wait": true])
        #expect(stopped["state"] == "stopped" && stopped["providerState"] == "deallocated", "\(stopped)")
        // The agent's own actions take over from each other the same way.
        _ = try await agent.result("startInstance", ["provider": "aks", "id": "vm-b"])
        let overtaken = try await agent.result("stopInstance", ["provider": "aks", "id": "vm-b", "deallocate": true, "wait": true])
        #expect(overtaken["providerState"] == "deallocated", "\(overtaken)")
    }
}
