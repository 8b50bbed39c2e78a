import CloudCore
import Foundation

/// Virtual machines. A VM needs a network interface: `createInstance` makes the public IP
/// (unless `publicIP` is false) and the interface first, then the VM, all with
/// `deleteOption: Delete`, so terminating the VM leaves nothing billable behind. An instance's
/// id is its ARM resource id; instance methods also take `RESOURCEGROUP/NAME` or a bare name
/// in the configured resource group.
extension AzureCloudProvider {
    /// How long creating a public IP or network interface may take before the create gives up.
    static let networkLimit = Duration.seconds(300)

    /// The resource group and name an id names.
    func locate(_ id: String) throws(CloudProviderError) -> (group: String, name: String) {
        let parts = id.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if id.hasPrefix("/") {
            guard parts.count == 8, parts[0].lowercased() == "subscriptions", parts[2].lowercased() == "resourcegroups",
                  parts[5].lowercased() == "microsoft.compute", parts[6].lowercased() == "virtualmachines" else {
                throw .invalidRequest(field: "id", reason: "must be a virtual machine's resource id, RESOURCEGROUP/NAME or a name, as listInstances answers")
            }
            return (parts[3], parts[7])
        }
        switch parts.count {
        case 1: return (try resourceGroup, parts[0])
        case 2: return (parts[0], parts[1])
        default: throw .invalidRequest(field: "id", reason: "must be a virtual machine's resource id, RESOURCEGROUP/NAME or a name, as listInstances answers")
        }
    }

    private static func key(_ group: String, _ name: String) -> String { "\(group)/\(name)".lowercased() }
    private static func subject(_ name: String) -> ARMClient.Subject { .init(resourceType: "instance", name: name) }

    /// The image reference for a URN (`publisher:offer:sku:version`) or an image resource id.
    static func imageReference(_ image: String) throws(CloudProviderError) -> AzureVirtualMachine.ImageReference {
        if image.hasPrefix("/") { return .init(id: image) }
        let parts = image.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts.allSatisfy({ !$0.isEmpty }) else {
            throw .invalidRequest(field: "image", reason: "must be a URN publisher:offer:sku:version (e.g. \(defaultImage)) or an image resource id")
        }
        return .init(publisher: parts[0], offer: parts[1], sku: parts[2], version: parts[3])
    }

    /// The availability zone a `zone` param names: `1`, `LOCATION-1`, or the location (no zone).
    static func availabilityZone(_ zone: String?, location: String) throws(CloudProviderError) -> String? {
        guard let zone, zone != location else { return nil }
        let digit = zone.hasPrefix(location + "-") ? String(zone.dropFirst(location.count + 1)) : zone
        guard ["1", "2", "3"].contains(digit) else {
            throw .invalidRequest(field: "zone", reason: "must be an availability zone of \(location) (1, 2, 3 or \(location)-1 …) or \(location) itself")
        }
        return digit
    }

    public func createInstance(_ request: CreateInstanceRequest) async throws -> Instance {
        try request.validate()
        try AzureNames.virtualMachineName(request.name)
        if request.keyName != nil {
            throw CloudProviderError.invalidRequest(field: "keyName", reason: "the azure provider takes the key itself: pass sshPublicKey")
        }
        guard let sshKey = request.sshPublicKey else {
            throw CloudProviderError.invalidRequest(field: "sshPublicKey", reason: "is needed: Azure Linux VMs are created with SSH key authentication only")
        }
        try AzureSSHKeyRule.check(sshKey)
        guard let subnet = request.subnet ?? settings.string("subnetId") else {
            throw CloudProviderError.invalidRequest(field: "subnet", reason: "is needed: the resource id of the subnet for the VM's network interface (or set the provider's subnetId)")
        }
        guard request.securityGroups.count <= 1 else {
            throw CloudProviderError.invalidRequest(field: "securityGroups", reason: "takes one network security group resource id on azure")
        }
        let group = try resourceGroup
        let location = try defaultLocation
        let zone = try Self.availabilityZone(request.zone, location: location)
        let image = try Self.imageReference(request.image ?? Self.defaultImage)
        let machines = try self.machines
        do {
            let existing = try await machines.get(resourceGroup: group, request.name)
            if let token = request.clientToken, existing.tags?[Self.clientTokenTag] == token {
                return try await getInstance(id: existing.id ?? "\(group)/\(request.name)")
            }
            throw CloudProviderError.conflict(resourceType: "instance", name: request.name, reason: "already exists in resource group \(group)")
        } catch CloudProviderError.notFound {
            // Free: create it.
        }
        var tags = request.tags
        if let token = request.clientToken { tags[Self.clientTokenTag] = token }
        let subject = Self.subject(request.name)
        var created: [String] = []
        do {
            var publicIP: AzureNetworkInterface.PublicIPReference?
            if request.publicIP ?? true {
                let ipName = "\(request.name)-ip"
                let answer = try await machines.putPublicIP(resourceGroup: group, ipName, AzurePublicIPAddress(
                    location: location, tags: tags.isEmpty ? nil : tags, zones: zone.map { [$0] }, sku: .init(name: "Standard"),
                    properties: .init(publicIPAllocationMethod: "Static", publicIPAddressVersion: "IPv4")))
                let id = answer.value.id ?? machines.networkID(group, "publicIPAddresses", ipName)
                created.append(id)
                try await settle(answer.operation, subject: subject, what: "public IP address \(ipName)")
                publicIP = .init(id: id, properties: .init(deleteOption: "Delete"))
            }
            let nicName = "\(request.name)-nic"
            let nic = try await machines.putInterface(resourceGroup: group, nicName, AzureNetworkInterface(
                location: location, tags: tags.isEmpty ? nil : tags,
                properties: .init(ipConfigurations: [.init(name: "ipconfig1", properties: .init(
                    subnet: .init(id: subnet), privateIPAllocationMethod: "Dynamic", publicIPAddress: publicIP, primary: true))],
                                  networkSecurityGroup: request.securityGroups.first.map { .init(id: $0) })))
            let nicID = nic.value.id ?? machines.networkID(group, "networkInterfaces", nicName)
            created.append(nicID)
            try await settle(nic.operation, subject: subject, what: "network interface \(nicName)")

            var properties = AzureVirtualMachine.Properties()
            properties.hardwareProfile = .init(vmSize: request.instanceType ?? Self.defaultInstanceSize)
            properties.storageProfile = .init(imageReference: image, osDisk: .init(
                createOption: "FromImage", deleteOption: "Delete", diskSizeGB: request.diskSizeGb,
                managedDisk: .init(storageAccountType: "StandardSSD_LRS"), name: "\(request.name)-osdisk"))
            let user = settings.string("adminUsername") ?? Self.defaultAdminUser
            properties.osProfile = .init(computerName: request.name, adminUsername: user,
                                         customData: request.userData.map { Data($0.utf8).base64EncodedString() },
                                         linuxConfiguration: .init(disablePasswordAuthentication: true, ssh: .init(publicKeys: [
                                             .init(path: "/home/\(user)/.ssh/authorized_keys", keyData: sshKey)])))
            properties.networkProfile = .init(networkInterfaces: [.init(id: nicID, properties: .init(primary: true, deleteOption: "Delete"))])
            let answer = try await machines.put(resourceGroup: group, request.name, AzureVirtualMachine(
                location: location, tags: tags.isEmpty ? nil : tags, zones: zone.map { [$0] }, properties: properties))
            let key = Self.key(group, request.name)
            if let operation = answer.operation {
                instanceOperations[key] = TrackedOperation(reference: operation, kind: "createInstance", detail: "creating virtual machine")
            }
            var view = AzureStatusMapping.instance(answer.value, name: request.name, provider: name, id: answer.value.id ?? machines.machineID(group, request.name),
                                                   publicIP: nil, privateIP: nic.value.properties.ipConfigurations.first?.properties.privateIPAddress)
            if view.state == .unknown || view.state == .running { view.state = .creating }
            return view
        } catch {
            await cleanUp(created.reversed(), after: error, vm: request.name)
            throw error
        }
    }

    /// Waits for a network resource's creation, at most `networkLimit`.
    private func settle(_ operation: ARMOperationReference?, subject: ARMClient.Subject, what: String) async throws {
        guard let operation else { return }
        let status = try await client.finish(operation, subject: subject, policy: pollPolicy, limit: Self.networkLimit)
        if let message = status.failureMessage {
            throw CloudProviderError.providerError(ProviderFailure(code: status.error?.code ?? "OperationFailed",
                                                                   message: "creating \(what) failed: \(message)"))
        }
    }

    /// Deletes what a create that failed had made, best effort (logged when it cannot).
    private func cleanUp(_ ids: [String], after error: any Error, vm: String) async {
        guard !ids.isEmpty, let machines = try? self.machines else { return }
        logger.warning("creating VM \(vm) failed (\(error)); deleting the \(ids.count) network resource(s) made for it")
        for id in ids {
            do {
                if let operation = try await machines.deleteNetworkResource(id: id) {
                    _ = try await client.finish(operation, subject: .init(resourceType: "network resource", name: id), policy: pollPolicy,
                                                limit: Self.networkLimit)
                }
            } catch {
                logger.error("could not delete \(id) after the failed create of VM \(vm): \(error); delete it yourself")
            }
        }
    }

    public func getInstance(id: String) async throws -> Instance {
        let (group, vmName) = try locate(id)
        let key = Self.key(group, vmName)
        let machines = try self.machines
        let vm: AzureVirtualMachine
        do {
            vm = try await machines.get(resourceGroup: group, vmName)
        } catch CloudProviderError.notFound {
            // A create that failed may leave nothing behind: say why, once (unless a delete
            // preempted it: then the VM is simply gone).
            if var tracked = instanceOperations[key] {
                instanceOperations[key] = nil
                if tracked.kind == "createInstance", let status = try? await observe(&tracked, subject: Self.subject(vmName)),
                   !status.wasPreempted, let message = status.failureMessage {
                    throw CloudProviderError.providerError(ProviderFailure(code: tracked.last?.error?.code ?? "OperationFailed",
                                                                           message: "creating instance '\(vmName)' failed: \(message)"))
                }
            }
            throw CloudProviderError.notFound(resourceType: "instance", name: id)
        }
        var view = try await instanceView(vm, group: group, name: vmName)
        guard var tracked = instanceOperations[key] else { return view }
        let status = try await observe(&tracked, subject: Self.subject(vmName))
        guard status.isDone else {
            instanceOperations[key] = tracked
            if tracked.kind == "delete" { view.state = .deleting }
            return view
        }
        instanceOperations[key] = nil
        if let message = status.failureMessage, !Self.superseded(status, deleting: view.state == .deleting) {
            if tracked.kind == "createInstance" {
                view.state = .failed
            } else {
                throw Self.operationFailed(tracked, message, of: "instance '\(vmName)'")
            }
        }
        return view
    }

    /// The shared instance, with the addresses of its primary network interface.
    private func instanceView(_ vm: AzureVirtualMachine, group: String, name vmName: String) async throws -> Instance {
        let machines = try self.machines
        let addresses = await Self.addresses(of: vm, machines: machines)
        return AzureStatusMapping.instance(vm, name: vmName, provider: name, id: machines.machineID(group, vmName),
                                           publicIP: addresses.publicIP, privateIP: addresses.privateIP)
    }

    /// How many VMs' addresses a list reads at a time.
    static let addressFanOut = 8

    /// The private and public address of a VM's primary network interface: a request for the
    /// interface, then one for its public IP; an address that cannot be read is left out.
    nonisolated static func addresses(of vm: AzureVirtualMachine, machines: VirtualMachineClient) async -> (privateIP: String?, publicIP: String?) {
        guard let reference = vm.properties.networkProfile?.networkInterfaces?.first(where: { $0.properties?.primary != false }),
              let nic = try? await machines.interface(id: reference.id) else { return (nil, nil) }
        let configuration = nic.properties.ipConfigurations.first { $0.properties.primary != false }?.properties
        guard let ipID = configuration?.publicIPAddress?.id else { return (configuration?.privateIPAddress, nil) }
        return (configuration?.privateIPAddress, try? await machines.publicIP(id: ipID).properties.ipAddress)
    }

    /// The addresses of each VM, in order, read for at most `width` VMs at a time.
    nonisolated static func addresses(of vms: [AzureVirtualMachine], machines: VirtualMachineClient,
                                      width: Int = addressFanOut) async -> [(privateIP: String?, publicIP: String?)] {
        await withTaskGroup(of: (Int, String?, String?).self) { group in
            var found = [(privateIP: String?, publicIP: String?)](repeating: (nil, nil), count: vms.count)
            for index in vms.indices {
                if index >= width, let (done, privateIP, publicIP) = await group.next() { found[done] = (privateIP, publicIP) }
                group.addTask {
                    let addresses = await addresses(of: vms[index], machines: machines)
                    return (index, addresses.privateIP, addresses.publicIP)
                }
            }
            for await (done, privateIP, publicIP) in group { found[done] = (privateIP, publicIP) }
            return found
        }
    }

    /// The VMs of the configured resource group, filtered, sorted by name and paged by the
    /// agent. Two lists serve them all: the group's VMs (their model) and the subscription's
    /// instance views (`statusOnly=true`: their power state); a VM the first names and the
    /// second no longer does was deleted in between and is left out. Only the page's VMs have
    /// their addresses read, `addressFanOut` at a time.
    public func listInstances(_ page: PageRequest, filter: InstanceFilter) async throws -> Page<Instance> {
        try filter.validate()
        let group = try resourceGroup
        let machines = try self.machines
        let candidates = try await machines.list(resourceGroup: group).filter { vm in
            vm.name != nil && filter.tags.allSatisfy { vm.tags?[$0.key] == $0.value }
                && (filter.zone.map { AzureStatusMapping.zone(of: vm) == $0 || vm.location == $0 } ?? true)
        }
        let views = candidates.isEmpty ? [:] : try await machines.instanceViews()
        var listed: [(instance: Instance, vm: AzureVirtualMachine)] = []
        for var vm in candidates {
            let vmName = vm.name!
            let vmGroup = AzureStatusMapping.resourceGroup(of: vm.id) ?? group
            let id = vm.id ?? machines.machineID(vmGroup, vmName)
            guard let view = views[id.lowercased()] else { continue }  // Deleted between the two lists.
            vm.properties.instanceView = view
            var instance = AzureStatusMapping.instance(vm, name: vmName, provider: name, id: id, publicIP: nil, privateIP: nil)
            // The agent's operations are left for getInstance to report, so a list never eats their errors.
            if instanceOperations[Self.key(vmGroup, vmName)]?.kind == "delete" { instance.state = .deleting }
            if filter.states.isEmpty || filter.states.contains(instance.state) { listed.append((instance, vm)) }
        }
        let paged = try Pagination.page(of: listed.sorted { ($0.instance.name, $0.instance.id) < ($1.instance.name, $1.instance.id) },
                                        key: { "\($0.instance.name)\u{1F}\($0.instance.id)" }, request: page)
        let addresses = await Self.addresses(of: paged.items.map(\.vm), machines: machines)
        let instances = zip(paged.items, addresses).map { item, address in
            var instance = item.instance
            instance.privateIP = address.privateIP
            instance.publicIP = address.publicIP
            return instance
        }
        return Page(items: instances, nextPageToken: paged.nextPageToken)
    }

    public func startInstance(id: String) async throws -> Instance {
        var current = try await getInstance(id: id)
        if try current.startIsDone(id: id) { return current }
        try await act("start", on: id, detail: "starting")
        current.state = .creating
        current.providerState = "starting"
        return current
    }

    /// `powerOff` (the VM stays allocated and billed) or, with `deallocate`, `deallocate`.
    public func stopInstance(id: String, deallocate: Bool?) async throws -> Instance {
        var current = try await getInstance(id: id)
        let release = deallocate ?? false
        switch current.state {
        case .stopped where !release || current.providerState == "deallocated": return current
        case .stopping: return current
        case .deleting, .deleted:
            throw CloudProviderError.conflict(resourceType: "instance", name: id, reason: "is \(current.providerState); a deleted instance cannot be stopped")
        default: break
        }
        try await act(release ? "deallocate" : "powerOff", on: id, detail: release ? "deallocating" : "stopping")
        current.state = .stopping
        current.providerState = release ? "deallocating" : "stopping"
        return current
    }

    public func terminateInstance(id: String) async throws -> Instance {
        var current = try await getInstance(id: id)
        if current.state == .deleting { return current }
        let (group, vmName) = try locate(id)
        if let operation = try await machines.delete(resourceGroup: group, vmName) {
            instanceOperations[Self.key(group, vmName)] = TrackedOperation(reference: operation, kind: "delete", detail: "deleting")
        }
        current.state = .deleting
        current.providerState = "Deleting"
        return current
    }

    /// Starts a power action and follows its operation.
    private func act(_ action: String, on id: String, detail: String) async throws {
        let (group, vmName) = try locate(id)
        if let operation = try await machines.act(action, resourceGroup: group, vmName) {
            instanceOperations[Self.key(group, vmName)] = TrackedOperation(reference: operation, kind: action, detail: detail)
        }
    }
}
