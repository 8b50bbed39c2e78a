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
        fake.holdOperations(kinds: ["createCluster"])
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

        // The agent waits for both deletes (each has reported once), then Azure lets them end.
        fake.holdOperations(kinds: ["createCluster", "deleteCluster"])
        let waits = ["brief", "taken"].map { agent.send("deleteCluster", ["provider": "aks", "name": .string($0), "wait": true]) }
        for id in waits {
            _ = try await agent.connection.first { $0[path: "params", "token"] == .int(id) && $0[path: "params", "value", "kind"] == "report" }
        }
        fake.releaseOperations()
        for id in waits {
            let response = try await agent.connection.response(id)
            #expect(response[path: "result", "status"] == "deleted", "\(response)")
        }
    }

    @Test func aVirtualMachineDeletedOrStoppedByAnotherClientIsReportedAsItIs() async throws {
        let (agent, fake) = try await agent()
        // Deleted while it is being created: the delete preempts the create.
        fake.holdOperations(kinds: ["createVM"])
        let creating = try await agent.result("createInstance", ["provider": "aks", "name": "vm-a", "sshPublicKey": .string(Self.sshKey),
                                                                 "subnet": .string(Self.subnet), "publicIP": false])
        #expect(creating["state"] == "creating")
        #expect(try await Self.armCall(fake, "DELETE", "Microsoft.Compute/virtualMachines/vm-a", apiVersion: "2023-09-01").status == 202)
        let deleting = try await agent.result("getInstance", ["provider": "aks", "id": "vm-a"])
        #expect(deleting["state"] == "deleting", "preempted by the delete, not failed: \(deleting)")
        fake.releaseOperations()
        #expect(try await agent.result("terminateInstance", ["provider": "aks", "id": "vm-a", "wait": true])["state"] == "deleted")

        // Deallocated by someone else while the agent starts it: the start was preempted, which
        // is no failure of the agent's; the VM is what the newer action makes it.
        _ = try await agent.result("createInstance", ["provider": "aks", "name": "vm-b", "sshPublicKey": .string(Self.sshKey),
                                                      "subnet": .string(Self.subnet), "publicIP": false, "wait": true])
        _ = try await agent.result("stopInstance", ["provider": "aks", "id": "vm-b", "deallocate": true, "wait": true])
        fake.holdOperations(kinds: ["start"])
        #expect(try await agent.result("startInstance", ["provider": "aks", "id": "vm-b"])["providerState"] == "starting")
        #expect(try await Self.armCall(fake, "POST", "Microsoft.Compute/virtualMachines/vm-b/deallocate", apiVersion: "2023-09-01").status == 202)
        let preempted = try await agent.result("getInstance", ["provider": "aks", "id": "vm-b"])
        #expect(preempted["state"] == "stopping" && preempted["providerState"] == "deallocating", "\(preempted)")
        let stopped = try await agent.result("stopInstance", ["provider": "aks", "id": "vm-b", "deallocate": true, "wait": true])
        #expect(stopped["state"] == "stopped" && stopped["providerState"] == "deallocated", "\(stopped)")
        // The agent's own actions take over from each other the same way.
        fake.releaseOperations()
        _ = try await agent.result("startInstance", ["provider": "aks", "id": "vm-b"])
        let overtaken = try await agent.result("stopInstance", ["provider": "aks", "id": "vm-b", "deallocate": true, "wait": true])
        #expect(overtaken["providerState"] == "deallocated", "\(overtaken)")
    }
}
