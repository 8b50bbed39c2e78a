import CloudCore
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import AzureProvider

/// How many requests are in flight, and the most there were at once.
final class InFlight: Sendable {
    let counts = Mutex((now: 0, peak: 0))
    var peak: Int { counts.withLock { $0.peak } }
}

/// `listInstances` reads two lists whatever the number of VMs (the group's VMs, and the
/// subscription's instance views with `statusOnly=true`) and then only the addresses of the
/// page's VMs, a few at a time.
struct AzureListInstancesTests {
    static let subscription = "00000000-0000-0000-0000-000000000001"
    static let group = "/subscriptions/\(subscription)/resourceGroups/rg-test/providers"
    static let names = (0..<12).map { String(format: "vm-%02d", $0) }

    static func vm(_ name: String) -> String {
        let tags = name == "vm-03" || name == "vm-07" ? #"{"env": "prod"}"# : "{}"
        return #"{"id": "\#(group)/Microsoft.Compute/virtualMachines/\#(name)", "name": "\#(name)", "location": "eastus", "tags": \#(tags), "properties": {"provisioningState": "Succeeded", "hardwareProfile": {"vmSize": "Standard_B2s"}, "networkProfile": {"networkInterfaces": [{"id": "\#(group)/Microsoft.Network/networkInterfaces/\#(name)-nic", "properties": {"primary": true}}]}}}"#
    }

    /// Compute writes the group in capitals in some ids: the join ignores case.
    static func status(_ name: String, group: String = "RG-TEST") -> String {
        let power = ["vm-02", "vm-05", "vm-09"].contains(name) ? "deallocated" : "running"
        return #"{"id": "/subscriptions/\#(subscription)/resourceGroups/\#(group)/providers/Microsoft.Compute/virtualMachines/\#(name)", "name": "\#(name)", "properties": {"instanceView": {"statuses": [{"code": "ProvisioningState/succeeded"}, {"code": "PowerState/\#(power)"}]}}}"#
    }

    static func list(_ items: [String], next: String?) -> HTTPResponse {
        armJSON(200, #"{"value": [\#(items.joined(separator: ", "))]\#(next.map { #", "nextLink": "\#($0)""# } ?? "")}"#)
    }

    /// Answers by URL: the lists in two pages each (`vm-gone` is listed, then deleted before
    /// the instance views are read; another group's VM has a view), and each VM's interface and
    /// public IP, counting how many of those are in flight at once.
    static func azure(inFlight: InFlight) -> RecordingTransport {
        RecordingTransport { request, _ in
            let path = request.url.path
            let query = request.url.query ?? ""
            if path.hasSuffix("/resourceGroups/rg-test/providers/Microsoft.Compute/virtualMachines") {
                return query.contains("skipToken")
                    ? .respond(list(names.dropFirst(6).map(vm) + [vm("vm-gone")], next: nil))
                    : .respond(list(names.prefix(6).map(vm), next: "https://management.azure.com\(path)?api-version=2023-09-01&$skipToken=6"))
            }
            if path == "/subscriptions/\(subscription)/providers/Microsoft.Compute/virtualMachines" {
                return query.contains("skipToken")
                    ? .respond(list(names.dropFirst(6).map { status($0) } + [status("vm-99", group: "rg-other")], next: nil))
                    : .respond(list(names.prefix(6).map { status($0) },
                                    next: "https://management.azure.com\(path)?api-version=2023-09-01&statusOnly=true&$skipToken=6"))
            }
            inFlight.counts.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            try? await Task.sleep(for: .milliseconds(20))
            inFlight.counts.withLock { $0.now -= 1 }
            let name = String(path.split(separator: "/").last ?? "")
            let number = Int(name.dropFirst(3).prefix(2)) ?? 0
            if path.contains("/networkInterfaces/") {
                return .respond(armJSON(200, #"{"location": "eastus", "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": "10.0.0.\#(number + 4)", "primary": true, "publicIPAddress": {"id": "\#(group)/Microsoft.Network/publicIPAddresses/vm-\#(name.dropFirst(3).prefix(2))-ip"}}}]}}"#))
            }
            if path.contains("/publicIPAddresses/") {
                return .respond(armJSON(200, #"{"location": "eastus", "properties": {"ipAddress": "20.0.0.\#(number + 1)"}}"#))
            }
            return .respond(armError(404, "ResourceNotFound"))
        }
    }

    @Test func twoListsServeEveryVMAndOnlyThePagesAddressesAreRead() async throws {
        let inFlight = InFlight()
        let transport = Self.azure(inFlight: inFlight)
        let aks = azureProvider(transport)
        let all = try await aks.listInstances(PageRequest(), filter: InstanceFilter())
        #expect(all.items.map(\.name) == Self.names, "sorted, without the VM deleted between the lists nor another group's")
        #expect(all.nextPageToken == nil)
        #expect(all.items.filter { $0.state == .stopped }.map(\.name) == ["vm-02", "vm-05", "vm-09"])
        #expect(all.items.allSatisfy { $0.providerState == ($0.state == .stopped ? "deallocated" : "running") })
        #expect(all.items[7].privateIP == "10.0.0.11" && all.items[7].publicIP == "20.0.0.8" && all.items[7].instanceType == "Standard_B2s")

        let requests = transport.requests
        let statusLists = requests.filter { $0.url.query?.contains("statusOnly=true") == true }
        #expect(statusLists.count == 2 && statusLists.allSatisfy { $0.url.path == "/subscriptions/\(Self.subscription)/providers/Microsoft.Compute/virtualMachines" },
                "one list with statusOnly, its second page through nextLink")
        #expect(!requests.contains { $0.url.path.contains("/virtualMachines/") }, "no VM is read on its own")
        let expected = 2 + 2 + Self.names.count * 2
        #expect(requests.count == expected, "two pages of each list, then each VM's interface and public IP")
        #expect(inFlight.peak <= AzureCloudProvider.addressFanOut)
        #expect(inFlight.peak > 1, "the addresses are read side by side")

        // Filters apply before any address is read; a page reads its own VMs' addresses only.
        let before = transport.requests.count
        let stopped = try await aks.listInstances(PageRequest(limit: 2), filter: InstanceFilter(states: [.stopped]))
        #expect(stopped.items.map(\.name) == ["vm-02", "vm-05"] && stopped.nextPageToken != nil)
        #expect(stopped.items.map(\.publicIP) == ["20.0.0.3", "20.0.0.6"])
        let pageRequests = transport.requests.count - before
        #expect(pageRequests == 4 + 2 * 2, "the lists, then two VMs' addresses")
        let prod = try await aks.listInstances(PageRequest(), filter: InstanceFilter(tags: ["env": "prod"]))
        #expect(prod.items.map(\.name) == ["vm-03", "vm-07"])
    }

    @Test func anEmptyGroupNeedsNoInstanceViews() async throws {
        let transport = RecordingTransport(script: [.respond(Self.list([], next: nil))])
        #expect(try await azureProvider(transport).listInstances(PageRequest(), filter: InstanceFilter()).items.isEmpty)
        #expect(transport.requests.count == 1)
    }
}
