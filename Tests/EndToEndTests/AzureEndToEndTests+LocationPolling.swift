import CloudCore
import Foundation
import JSONRPC
import Testing
import TestSupport

/// Operations whose 202 carries `Location` alone are followed there, in each resource
/// provider's form (Compute's `operations/ID?monitor=true`, AKS's `operationresults/ID`,
/// Network's `operationResults/ID`), and a failure read there keeps ARM's code and message.
extension AzureEndToEndTests {
    @Test func operationsAnsweredWithLocationAloneAreFollowedThereWithARMsCodes() async throws {
        let (agent, fake) = try await agent(operationDuration: .milliseconds(150))
        fake.answerWithLocationOnly()
        _ = try await agent.result("createInstance", ["provider": "aks", "name": "vm-l", "sshPublicKey": .string(Self.sshKey),
                                                      "subnet": .string(Self.subnet), "wait": true])
        let stopped = try await agent.result("stopInstance", ["provider": "aks", "id": "vm-l", "deallocate": true, "wait": true])
        #expect(stopped["providerState"] == "deallocated", "\(stopped)")
        #expect(fake.receivedRequests.contains { $0.url.path.contains("/providers/Microsoft.Compute/locations/eastus/operations/")
                                                 && $0.url.query?.contains("monitor=true") == true })

        // A start that fails (no capacity): ARM's code reaches the caller, and the VM shows the
        // failure until an action succeeds.
        fake.failNextOperation(kind: "start", code: "AllocationFailed",
                               message: "Allocation failed. We do not have sufficient capacity for the requested VM size in this region.")
        let error = try await agent.failure("startInstance", ["provider": "aks", "id": "vm-l", "wait": true], code: -32009)
        #expect(error[path: "data", "code"] == "AllocationFailed", "\(error)")
        #expect(error["message"]?.stringValue?.contains("sufficient capacity") == true, "\(error)")
        let failed = try await agent.result("getInstance", ["provider": "aks", "id": "vm-l"])
        #expect(failed["state"] == "failed" && failed["providerState"] == "ProvisioningState/failed/AllocationFailed", "\(failed)")
        #expect(try await agent.result("listInstances", ["provider": "aks", "states": ["failed"]])["instances"]?.names == ["vm-l"])
        let retried = try await agent.result("startInstance", ["provider": "aks", "id": "vm-l", "wait": true])
        #expect(retried["state"] == "running" && retried["providerState"] == "running", "\(retried)")

        #expect(try await agent.result("terminateInstance", ["provider": "aks", "id": "vm-l", "wait": true])["state"] == "deleted")
        _ = try await agent.result("createCluster", ["provider": "aks", "name": "loc", "nodeCount": 1, "wait": true])
        #expect(try await agent.result("deleteCluster", ["provider": "aks", "name": "loc", "wait": true])["status"] == "deleted")
        #expect(fake.receivedRequests.contains { $0.url.path.contains("/providers/Microsoft.ContainerService/locations/eastus/operationresults/") })
    }
}
