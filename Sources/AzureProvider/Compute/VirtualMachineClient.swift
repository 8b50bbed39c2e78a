import CloudCore

/// The `Microsoft.Compute` virtual machine calls (api-version 2023-09-01) and the
/// `Microsoft.Network` interface and public IP calls (2023-09-01) the agent uses.
struct VirtualMachineClient: Sendable {
    let client: ARMClient
    let subscription: String

    private static func e(_ text: String) -> String { AzureEndpoints.escape(text) }
    private func group(_ resourceGroup: String) -> String { "/subscriptions/\(Self.e(subscription))/resourceGroups/\(Self.e(resourceGroup))" }
    private func machines(_ resourceGroup: String) -> String { "\(group(resourceGroup))/providers/Microsoft.Compute/virtualMachines" }
    private func machine(_ resourceGroup: String, _ name: String) -> String { "\(machines(resourceGroup))/\(Self.e(name))" }
    private static func subject(_ name: String) -> ARMClient.Subject { .init(resourceType: "instance", name: name) }

    /// The resource id of the network interface or public IP `name` in `resourceGroup`.
    func networkID(_ resourceGroup: String, _ kind: String, _ name: String) -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.Network/\(kind)/\(name)"
    }

    /// The resource id of the virtual machine `name` in `resourceGroup`.
    func machineID(_ resourceGroup: String, _ name: String) -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/Microsoft.Compute/virtualMachines/\(name)"
    }

    // MARK: Virtual machines

    /// The VM with its instance view (power state).
    func get(resourceGroup: String, _ name: String) async throws -> AzureVirtualMachine {
        try await client.send("GET", machine(resourceGroup, name), apiVersion: AzureEndpoints.compute, query: [("$expand", "instanceView")],
                              subject: Self.subject(name)).value
    }

    /// Every VM of the resource group (following `nextLink`); instance views are not included.
    func list(resourceGroup: String) async throws -> [AzureVirtualMachine] {
        try await client.all(client.endpoints.url(machines(resourceGroup), apiVersion: AzureEndpoints.compute),
                             subject: .init(resourceType: "instance", name: "*"))
    }

    /// The instance view of every VM of the subscription, by lowercased resource id: List All
    /// with `statusOnly=true` (following `nextLink`), which answers each VM's id and instance
    /// view, not its model; one list instead of a GET per VM.
    func instanceViews() async throws -> [String: AzureVirtualMachine.InstanceView] {
        let path = "/subscriptions/\(Self.e(subscription))/providers/Microsoft.Compute/virtualMachines"
        let statuses: [AzureVirtualMachineStatus] = try await client.all(
            client.endpoints.url(path, apiVersion: AzureEndpoints.compute, query: [("statusOnly", "true")]),
            subject: .init(resourceType: "instance", name: "*"))
        var views: [String: AzureVirtualMachine.InstanceView] = [:]
        for status in statuses {
            if let id = status.id, let view = status.properties?.instanceView { views[id.lowercased()] = view }
        }
        return views
    }

    func put(resourceGroup: String, _ name: String, _ body: AzureVirtualMachine) async throws -> ARMClient.Answer<AzureVirtualMachine> {
        try await client.send("PUT", machine(resourceGroup, name), apiVersion: AzureEndpoints.compute, body: body, subject: Self.subject(name))
    }

    /// `start`, `powerOff` or `deallocate`: answers the operation it started.
    func act(_ action: String, resourceGroup: String, _ name: String) async throws -> ARMOperationReference? {
        let answer: ARMClient.Answer<ARMClient.Empty> = try await client.send("POST", "\(machine(resourceGroup, name))/\(action)",
                                                                             apiVersion: AzureEndpoints.compute, subject: Self.subject(name))
        return answer.operation
    }

    func delete(resourceGroup: String, _ name: String) async throws -> ARMOperationReference? {
        let answer: ARMClient.Answer<ARMClient.Empty> = try await client.send("DELETE", machine(resourceGroup, name),
                                                                             apiVersion: AzureEndpoints.compute, subject: Self.subject(name))
        return answer.operation
    }

    // MARK: Network

    func putInterface(resourceGroup: String, _ name: String,
                      _ body: AzureNetworkInterface) async throws -> ARMClient.Answer<AzureNetworkInterface> {
        try await client.send("PUT", networkID(resourceGroup, "networkInterfaces", Self.e(name)), apiVersion: AzureEndpoints.network,
                              body: body, subject: .init(resourceType: "network interface", name: name))
    }

    /// The interface at `id` (a full resource id, as a VM names it).
    func interface(id: String) async throws -> AzureNetworkInterface {
        try await client.send("GET", Self.path(of: id), apiVersion: AzureEndpoints.network,
                              subject: .init(resourceType: "network interface", name: id)).value
    }

    func putPublicIP(resourceGroup: String, _ name: String,
                     _ body: AzurePublicIPAddress) async throws -> ARMClient.Answer<AzurePublicIPAddress> {
        try await client.send("PUT", networkID(resourceGroup, "publicIPAddresses", Self.e(name)), apiVersion: AzureEndpoints.network,
                              body: body, subject: .init(resourceType: "public IP address", name: name))
    }

    func publicIP(id: String) async throws -> AzurePublicIPAddress {
        try await client.send("GET", Self.path(of: id), apiVersion: AzureEndpoints.network,
                              subject: .init(resourceType: "public IP address", name: id)).value
    }

    /// Deletes a network interface or public IP address by resource id (cleaning up after a VM
    /// that could not be created); answers the operation it started.
    func deleteNetworkResource(id: String) async throws -> ARMOperationReference? {
        let answer: ARMClient.Answer<ARMClient.Empty> = try await client.send("DELETE", Self.path(of: id), apiVersion: AzureEndpoints.network,
                                                                             subject: .init(resourceType: "network resource", name: id))
        return answer.operation
    }

    /// A resource id as a path, each segment escaped.
    static func path(of id: String) -> String {
        "/" + id.split(separator: "/").map { e(String($0)) }.joined(separator: "/")
    }
}
