import CloudCore
import Foundation

/// The `Microsoft.Compute` and `Microsoft.Network` paths of the fake: virtual machines, and
/// the network interfaces and public IPs they need.
extension FakeAzureState {
    // MARK: - Virtual machines

    mutating func compute(_ method: String, group: String, _ rest: [String], query: [String: String], body: [String: Any]) -> HTTPResponse {
        guard rest.first == "virtualMachines" else { return Self.error(404, "InvalidResourceType", "The resource type '\(rest.first ?? "")' could not be found.") }
        if rest.count == 1 {
            guard method == "GET" else { return Self.error(405, "MethodNotAllowed", "The method is not allowed.") }
            let listed = vms.values.filter { $0.group.lowercased() == group.lowercased() }.sorted { $0.name < $1.name }.map { vmJSON($0, instanceView: false) }
            return page(listed, query: query, path: "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.Compute/virtualMachines")
        }
        let name = rest[1]
        let key = Self.key(group, name)
        if rest.count == 2 {
            switch method {
            case "GET":
                guard let vm = vms[key] else { return Self.notFound("Microsoft.Compute/virtualMachines", name, group: group) }
                return Self.json(200, vmJSON(vm, instanceView: query["$expand"] == "instanceView"))
            case "PUT":
                return putVM(group: group, name: name, body: body)
            case "DELETE":
                guard let vm = vms[key] else { return HTTPResponse(status: 204) }
                // A delete again answers the one under way; a delete preempts whatever else runs.
                if let deleting = running({ if case .deleteVM(key) = $0 { true } else { false } }).first { return accepted(headers(of: deleting)) }
                preempt({ $0.virtualMachine == key }, code: "OperationPreempted", message: Self.preempted)
                vms[key]?.provisioningState = "Deleting"
                let headers = startOperation(kind: "deleteVM", provider: "Microsoft.Compute", location: vm.location, apiVersion: Self.compute,
                                             effect: .deleteVM(key))
                return accepted(headers)
            default:
                return Self.error(405, "MethodNotAllowed", "The method is not allowed.")
            }
        }
        guard let vm = vms[key] else { return Self.notFound("Microsoft.Compute/virtualMachines", name, group: group) }
        switch (method, rest[2]) {
        case ("GET", "instanceView"):
            return Self.json(200, instanceView(vm))
        case ("POST", "start"), ("POST", "powerOff"), ("POST", "deallocate"):
            guard vm.provisioningState != "Creating", vm.provisioningState != "Deleting" else {
                return Self.error(409, "OperationNotAllowed", "Operation '\(rest[2])' is not allowed on VM '\(name)' since the VM is \(vm.provisioningState.lowercased()).")
            }
            let (transition, target) = switch rest[2] {
            case "start": ("starting", "running")
            case "powerOff": ("stopping", "stopped")
            default: ("deallocating", "deallocated")
            }
            // A newer power action preempts the one under way.
            preempt({ if case .power(key, _, _) = $0 { true } else { false } }, code: "OperationPreempted", message: Self.preempted)
            let previous = vm.power.map(Self.settled)
            vms[key]?.power = transition
            vms[key]?.provisioningState = "Updating"
            let headers = startOperation(kind: rest[2], provider: "Microsoft.Compute", location: vm.location, apiVersion: Self.compute,
                                         effect: .power(key, to: target, from: previous))
            return accepted(headers)
        default:
            return Self.error(404, "InvalidResourceType", "The resource type '\(rest[2])' could not be found.")
        }
    }

    /// The marketplace images (`publisher:offer:sku`, lowercased) the fake's region offers.
    static let images: Set<String> = ["canonical:ubuntu-24_04-lts:server", "canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2",
                                      "canonical:0001-com-ubuntu-server-jammy:22_04-lts", "debian:debian-12:12", "debian:debian-12:12-gen2",
                                      "redhat:rhel:9-lvm-gen2"]

    /// Compute's message for an operation a newer one ended.
    static let preempted = "Operation execution has been preempted by a more recent operation."

    /// Admin user names Compute refuses for Linux VMs.
    static let reservedUsernames: Set<String> = [
        "administrator", "admin", "user", "user1", "test", "user2", "test1", "user3", "admin1", "1", "123", "a", "actuser", "adm", "admin2",
        "aspnet", "backup", "console", "david", "guest", "john", "owner", "root", "server", "sql", "support", "support_388945a0", "sys",
        "test2", "test3", "user4", "user5",
    ]

    /// The state a transitional power state ends in.
    static func settled(_ power: String) -> String {
        switch power {
        case "starting": "running"
        case "stopping": "stopped"
        case "deallocating": "deallocated"
        default: power
        }
    }

    /// Ends a VM operation: `Failed` with the error the instance view shows, else `Succeeded`.
    mutating func settleVM(_ key: String, failure: (code: String, message: String)?) {
        vms[key]?.provisioningState = failure == nil ? "Succeeded" : "Failed"
        vms[key]?.failure = failure
    }

    private mutating func putVM(group: String, name: String, body: [String: Any]) -> HTTPResponse {
        let key = Self.key(group, name)
        guard let location = body["location"] as? String else {
            return Self.error(400, "InvalidParameter", "The value of parameter location is invalid.", target: "location")
        }
        if let refusal = Self.checkLocation(location, type: "Microsoft.Compute/virtualMachines") { return refusal }
        if vms[key] != nil { return Self.error(409, "OperationNotAllowed", "The fake does not update virtual machines.") }
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }), name.last != "-" else {
            return Self.error(400, "InvalidParameter", "Linux VM name '\(name)' is invalid.", target: "name")
        }
        let properties = body["properties"] as? [String: Any] ?? [:]
        let storage = properties["storageProfile"] as? [String: Any] ?? [:]
        let image = storage["imageReference"] as? [String: Any] ?? [:]
        guard image["id"] != nil || ["publisher", "offer", "sku", "version"].allSatisfy({ image[$0] is String }) else {
            return Self.error(400, "InvalidParameter", "The value of parameter imageReference is invalid.", target: "imageReference")
        }
        let urn = ["publisher", "offer", "sku"].compactMap { image[$0] as? String }.joined(separator: ":")
        if image["id"] == nil, !Self.images.contains(urn.lowercased()) {
            return Self.error(404, "PlatformImageNotFound",
                              "The platform image '\(urn):\(image["version"] as? String ?? "")' is not available. Verify that all fields in the storage profile are correct. For more details about storage profile information, please refer to https://aka.ms/storageprofile",
                              target: "imageReference")
        }
        let os = properties["osProfile"] as? [String: Any] ?? [:]
        guard let admin = os["adminUsername"] as? String else {
            return Self.error(400, "InvalidParameter", "Required parameter 'adminUsername' is missing (null).", target: "adminUsername")
        }
        guard !Self.reservedUsernames.contains(admin.lowercased()), (1...64).contains(admin.count) else {
            return Self.error(400, "InvalidParameter", "The Admin Username specified is not allowed.", target: "adminUsername")
        }
        let linux = os["linuxConfiguration"] as? [String: Any] ?? [:]
        let keys = (linux["ssh"] as? [String: Any])?["publicKeys"] as? [[String: Any]] ?? []
        if linux["disablePasswordAuthentication"] as? Bool == true, keys.isEmpty {
            return Self.error(400, "InvalidParameter", "Authentication using either SSH or by user name and password must be enabled in Linux profile.",
                              target: "linuxConfiguration")
        }
        // Linux VMs take RSA and Ed25519 keys, nothing else (no ECDSA, no security keys).
        for key in keys {
            let parts = (key["keyData"] as? String ?? "").split(separator: " ")
            guard parts.count >= 2, ["ssh-rsa", "ssh-ed25519"].contains(parts[0]), Data(base64Encoded: String(parts[1])) != nil else {
                return Self.error(400, "InvalidParameter", "The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid.",
                                  target: "linuxConfiguration.ssh.publicKeys.keyData")
            }
        }
        let interfaces = (properties["networkProfile"] as? [String: Any])?["networkInterfaces"] as? [[String: Any]] ?? []
        guard !interfaces.isEmpty else {
            return Self.error(400, "InvalidParameter", "The VM needs at least one network interface.", target: "networkProfile")
        }
        for interface in interfaces {
            guard let id = interface["id"] as? String, nicKey(id).flatMap({ nics[$0] }) != nil else {
                return Self.error(400, "InvalidParameter", "Network interface '\(interface["id"] ?? "")' was not found.", target: "networkProfile.networkInterfaces")
            }
        }
        let osDisk = storage["osDisk"] as? [String: Any] ?? [:]
        disks.insert(Self.key(group, osDisk["name"] as? String ?? "\(name)_OsDisk_1"))
        let vm = FakeVirtualMachine(group: group, name: name, location: location, tags: body["tags"] as? [String: String] ?? [:],
                                    zones: body["zones"] as? [String], storedProperties: StoredJSON(properties))
        vms[key] = vm
        let headers = startOperation(kind: "createVM", provider: "Microsoft.Compute", location: location, apiVersion: Self.compute, effect: .createVM(key))
        return Self.json(201, vmJSON(vm, instanceView: false), headers: ["Azure-AsyncOperation": headers["Azure-AsyncOperation"]!, "Retry-After": "0"])
    }

    /// Removes what a deleted VM's `deleteOption: Delete` says goes with it.
    mutating func deleteAttachments(of vm: FakeVirtualMachine) {
        let storage = vm.properties["storageProfile"] as? [String: Any] ?? [:]
        let osDisk = storage["osDisk"] as? [String: Any] ?? [:]
        if osDisk["deleteOption"] as? String == "Delete" { disks.remove(Self.key(vm.group, osDisk["name"] as? String ?? "\(vm.name)_OsDisk_1")) }
        let interfaces = (vm.properties["networkProfile"] as? [String: Any])?["networkInterfaces"] as? [[String: Any]] ?? []
        for interface in interfaces where (interface["properties"] as? [String: Any])?["deleteOption"] as? String == "Delete" {
            guard let id = interface["id"] as? String, let key = nicKey(id), let nic = nics.removeValue(forKey: key) else { continue }
            for configuration in nic.ipConfigurations {
                let reference = (configuration["properties"] as? [String: Any])?["publicIPAddress"] as? [String: Any]
                guard (reference?["properties"] as? [String: Any])?["deleteOption"] as? String == "Delete", let ipID = reference?["id"] as? String,
                      let ipKey = resourceKey(ipID, type: "publicIPAddresses") else { continue }
                publicIPs[ipKey] = nil
            }
        }
    }

    /// The instance view: the provisioning state (a failure with its code, level `Error` and
    /// message) and the power state.
    private func instanceView(_ vm: FakeVirtualMachine) -> [String: Any] {
        var provisioning: [String: Any] = ["code": "ProvisioningState/\(vm.provisioningState.lowercased())", "level": "Info",
                                           "displayStatus": "Provisioning \(vm.provisioningState.lowercased())"]
        if vm.provisioningState == "Failed", let failure = vm.failure {
            provisioning = ["code": "ProvisioningState/failed/\(failure.code)", "level": "Error", "displayStatus": "Provisioning failed",
                            "message": failure.message, "time": Self.timestamp(Date())]
        }
        var statuses = [provisioning]
        if let power = vm.power { statuses.append(["code": "PowerState/\(power)", "level": "Info", "displayStatus": "VM \(power)"]) }
        return ["computerName": vm.name, "osName": "ubuntu", "statuses": statuses]
    }

    /// `GET /subscriptions/S/providers/Microsoft.Compute/virtualMachines` (List All): every VM
    /// of the subscription; with `statusOnly=true` each is its id, name, type and location with
    /// `properties.instanceView` alone, not its model.
    func listAllVirtualMachines(query: [String: String]) -> HTTPResponse {
        let all = vms.values.sorted { ($0.group.lowercased(), $0.name) < ($1.group.lowercased(), $1.name) }
        let items = query["statusOnly"]?.lowercased() == "true"
            ? all.map { vm -> [String: Any] in
                let model = vmJSON(vm, instanceView: false)
                return ["id": model["id"]!, "name": vm.name, "type": "Microsoft.Compute/virtualMachines", "location": vm.location,
                        "properties": ["instanceView": instanceView(vm)]]
            }
            : all.map { vmJSON($0, instanceView: false) }
        return page(items, query: query, path: "/subscriptions/\(subscription)/providers/Microsoft.Compute/virtualMachines")
    }

    private func vmJSON(_ vm: FakeVirtualMachine, instanceView withView: Bool) -> [String: Any] {
        var properties = vm.properties
        properties["provisioningState"] = vm.provisioningState
        properties["vmId"] = "8f1b9e0c-0000-4000-8000-\(String(format: "%012x", vm.name.count))"
        properties["timeCreated"] = Self.timestamp(vm.created)
        if var os = properties["osProfile"] as? [String: Any] {
            os["customData"] = nil  // Never returned by ARM.
            properties["osProfile"] = os
        }
        if withView { properties["instanceView"] = instanceView(vm) }
        var json: [String: Any] = ["id": "/subscriptions/\(subscription)/resourceGroups/\(vm.group)/providers/Microsoft.Compute/virtualMachines/\(vm.name)",
                                   "name": vm.name, "type": "Microsoft.Compute/virtualMachines", "location": vm.location, "tags": vm.tags,
                                   "properties": properties]
        if let zones = vm.zones { json["zones"] = zones }
        return json
    }

    // MARK: - Network

    /// The key of a resource id of `type` in this subscription.
    func resourceKey(_ id: String, type: String) -> String? {
        let parts = id.split(separator: "/").map(String.init)
        guard parts.count == 8, parts[0].lowercased() == "subscriptions", parts[1] == subscription, parts[6].lowercased() == type.lowercased() else { return nil }
        return Self.key(parts[3], parts[7])
    }

    func nicKey(_ id: String) -> String? { resourceKey(id, type: "networkInterfaces") }

    mutating func network(_ method: String, group: String, _ rest: [String], query: [String: String], body: [String: Any]) -> HTTPResponse {
        guard rest.count >= 2 else { return Self.error(404, "InvalidResourceType", "The resource type could not be found.") }
        let name = rest[1]
        let key = Self.key(group, name)
        switch (rest[0], method) {
        case ("virtualNetworks", "GET") where rest.count == 4 && rest[2] == "subnets":
            let id = "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.Network/virtualNetworks/\(name)/subnets/\(rest[3])"
            guard subnets.contains(id.lowercased()) else { return Self.notFound("Microsoft.Network/virtualNetworks/subnets", rest[3], group: group) }
            return Self.json(200, ["id": id, "name": rest[3], "properties": ["addressPrefix": "10.0.0.0/24", "provisioningState": "Succeeded"]])
        case ("networkInterfaces", "GET"):
            guard let nic = nics[key] else { return Self.notFound("Microsoft.Network/networkInterfaces", name, group: group) }
            return Self.json(200, nicJSON(nic))
        case ("networkInterfaces", "PUT"):
            return putNIC(group: group, name: name, body: body)
        case ("networkInterfaces", "DELETE"):
            guard let nic = nics[key] else { return HTTPResponse(status: 204) }
            if let vm = vms.values.first(where: { uses($0, nic: key) }) {
                let id = "/subscriptions/\(subscription)/resourceGroups/\(nic.group)/providers/Microsoft.Network/networkInterfaces/\(nic.name)"
                return Self.error(400, "NicInUse", "Network Interface \(id) is used by existing resource /subscriptions/\(subscription)/resourceGroups/\(vm.group)/providers/Microsoft.Compute/virtualMachines/\(vm.name). In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.")
            }
            return startNetworkDelete(key, location: nic.location, kind: "deleteNetworkInterface", effect: .deleteNIC(key))
        case ("publicIPAddresses", "GET"):
            guard let ip = publicIPs[key] else { return Self.notFound("Microsoft.Network/publicIPAddresses", name, group: group) }
            return Self.json(200, publicIPJSON(ip))
        case ("publicIPAddresses", "PUT"):
            guard let location = body["location"] as? String else {
                return Self.error(400, "InvalidParameter", "The value of parameter location is invalid.", target: "location")
            }
            if let refusal = Self.checkLocation(location, type: "Microsoft.Network/publicIPAddresses") { return refusal }
            if let existing = publicIPs[key] { return Self.json(200, publicIPJSON(existing)) }
            let ip = FakePublicIP(group: group, name: name, location: location, tags: body["tags"] as? [String: String] ?? [:], zones: body["zones"] as? [String])
            publicIPs[key] = ip
            let headers = startOperation(kind: "createPublicIP", provider: "Microsoft.Network", location: location, apiVersion: Self.network,
                                         effect: .createPublicIP(key), quick: true)
            return Self.json(201, publicIPJSON(ip), headers: ["Azure-AsyncOperation": headers["Azure-AsyncOperation"]!, "Retry-After": "0"])
        case ("publicIPAddresses", "DELETE"):
            guard let ip = publicIPs[key] else { return HTTPResponse(status: 204) }
            if let nic = nics.values.first(where: { nic in nic.ipConfigurations.contains { self.publicIPKey(of: $0) == key } }) {
                let id = "/subscriptions/\(subscription)/resourceGroups/\(ip.group)/providers/Microsoft.Network/publicIPAddresses/\(ip.name)"
                return Self.error(400, "PublicIPAddressCannotBeDeleted", "Public IP address \(id) can not be deleted since it is still allocated to resource /subscriptions/\(subscription)/resourceGroups/\(nic.group)/providers/Microsoft.Network/networkInterfaces/\(nic.name)/ipConfigurations/ipconfig1. In order to delete the public IP, disassociate/detach the Public IP address from the resource.  To learn how to do this, see aka.ms/deletepublicip.")
            }
            return startNetworkDelete(key, location: ip.location, kind: "deletePublicIP", effect: .deletePublicIP(key))
        default:
            return Self.error(404, "InvalidResourceType", "The resource type '\(rest[0])' could not be found.")
        }
    }

    /// Starts deleting a network interface or public IP (a quick long-running operation), unless
    /// another operation runs on it.
    private mutating func startNetworkDelete(_ key: String, location: String, kind: String, effect: FakeARMOperation.Effect) -> HTTPResponse {
        if let busy = running({ $0.networkResource == key }).first { return Self.anotherOperation(headers(of: busy)) }
        if case .deleteNIC = effect { nics[key]?.provisioningState = "Deleting" } else { publicIPs[key]?.provisioningState = "Deleting" }
        return accepted(startOperation(kind: kind, provider: "Microsoft.Network", location: location, apiVersion: Self.network, effect: effect, quick: true))
    }

    /// Network's 409 while another operation runs on the resource.
    static func anotherOperation(_ headers: [String: String]) -> HTTPResponse {
        error(409, "AnotherOperationInProgress",
              "Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: \(headers["Azure-AsyncOperation"] ?? "").")
    }

    /// Whether `vm`'s network profile names the interface `nic` (a key).
    func uses(_ vm: FakeVirtualMachine, nic: String) -> Bool {
        let interfaces = (vm.properties["networkProfile"] as? [String: Any])?["networkInterfaces"] as? [[String: Any]] ?? []
        return interfaces.contains { ($0["id"] as? String).flatMap(nicKey) == nic }
    }

    private func publicIPKey(of configuration: [String: Any]) -> String? {
        ((configuration["properties"] as? [String: Any])?["publicIPAddress"] as? [String: Any])?["id"].flatMap { $0 as? String }
            .flatMap { resourceKey($0, type: "publicIPAddresses") }
    }

    private mutating func putNIC(group: String, name: String, body: [String: Any]) -> HTTPResponse {
        let key = Self.key(group, name)
        guard let location = body["location"] as? String else {
            return Self.error(400, "InvalidParameter", "The value of parameter location is invalid.", target: "location")
        }
        if let refusal = Self.checkLocation(location, type: "Microsoft.Network/networkInterfaces") { return refusal }
        let configurations = (body["properties"] as? [String: Any])?["ipConfigurations"] as? [[String: Any]] ?? []
        guard !configurations.isEmpty else {
            return Self.error(400, "InvalidRequestFormat", "Network interface \(name) needs at least one IP configuration.", target: "ipConfigurations")
        }
        for configuration in configurations {
            let properties = configuration["properties"] as? [String: Any] ?? [:]
            guard let subnet = (properties["subnet"] as? [String: Any])?["id"] as? String, subnets.contains(subnet.lowercased()) else {
                return Self.error(400, "InvalidResourceReference", "Resource \((properties["subnet"] as? [String: Any])?["id"] ?? "") referenced by resource \(name) was not found.",
                                  target: "subnet")
            }
            if let reference = properties["publicIPAddress"] as? [String: Any] {
                guard let ipKey = publicIPKey(of: configuration), publicIPs[ipKey] != nil else {
                    return Self.error(400, "InvalidResourceReference", "Resource \(reference["id"] ?? "") referenced by resource \(name) was not found.",
                                      target: "publicIPAddress")
                }
            }
        }
        counter += 1
        let nic = FakeNetworkInterface(group: group, name: name, location: location, tags: body["tags"] as? [String: String] ?? [:],
                                       storedConfigurations: StoredJSON(configurations), privateIP: "10.0.0.\(counter % 250 + 4)", provisioningState: "Updating")
        nics[key] = nic
        let headers = startOperation(kind: "createNetworkInterface", provider: "Microsoft.Network", location: location, apiVersion: Self.network,
                                     effect: .createNIC(key), quick: true)
        return Self.json(201, nicJSON(nic), headers: ["Azure-AsyncOperation": headers["Azure-AsyncOperation"]!, "Retry-After": "0"])
    }

    private func nicJSON(_ nic: FakeNetworkInterface) -> [String: Any] {
        let configurations = nic.ipConfigurations.enumerated().map { index, configuration -> [String: Any] in
            var configuration = configuration
            var properties = configuration["properties"] as? [String: Any] ?? [:]
            properties["privateIPAddress"] = nic.privateIP
            properties["privateIPAllocationMethod"] = properties["privateIPAllocationMethod"] ?? "Dynamic"
            properties["primary"] = index == 0
            properties["provisioningState"] = nic.provisioningState
            configuration["properties"] = properties
            return configuration
        }
        return ["id": "/subscriptions/\(subscription)/resourceGroups/\(nic.group)/providers/Microsoft.Network/networkInterfaces/\(nic.name)",
                "name": nic.name, "type": "Microsoft.Network/networkInterfaces", "location": nic.location, "tags": nic.tags,
                "properties": ["ipConfigurations": configurations, "provisioningState": nic.provisioningState]]
    }

    private func publicIPJSON(_ ip: FakePublicIP) -> [String: Any] {
        var properties: [String: Any] = ["publicIPAllocationMethod": "Static", "publicIPAddressVersion": "IPv4", "provisioningState": ip.provisioningState]
        if let address = ip.ipAddress { properties["ipAddress"] = address }
        var json: [String: Any] = ["id": "/subscriptions/\(subscription)/resourceGroups/\(ip.group)/providers/Microsoft.Network/publicIPAddresses/\(ip.name)",
                                   "name": ip.name, "type": "Microsoft.Network/publicIPAddresses", "location": ip.location, "tags": ip.tags,
                                   "sku": ["name": "Standard", "tier": "Regional"], "properties": properties]
        if let zones = ip.zones { json["zones"] = zones }
        return json
    }

    // MARK: - Microsoft Entra

    /// `POST /{tenant}/oauth2/v2.0/token`: the client-credentials grant, with a secret or a
    /// client assertion.
    mutating func tokenGrant(tenant: String, _ request: HTTPRequest) -> HTTPResponse {
        var form: [String: String] = [:]
        for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            if parts.count == 2 { form[parts[0]] = parts[1] }
        }
        func refuse(_ status: Int, _ error: String, _ code: Int, _ description: String) -> HTTPResponse {
            Self.json(status, ["error": error, "error_description": "AADSTS\(code): \(description)\r\nTrace ID: 0000\r\nCorrelation ID: 0000\r\nTimestamp: \(Self.timestamp(Date()))",
                               "error_codes": [code], "trace_id": "0000", "correlation_id": "0000"])
        }
        guard form["grant_type"] == "client_credentials" else {
            return refuse(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
        }
        guard let client = form["client_id"], form["scope"]?.hasSuffix("/.default") == true else {
            return refuse(400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id' and 'scope'.")
        }
        let account = "\(tenant)/\(client)"
        guard clientSecrets[account] != nil || clientAssertions[account] != nil else {
            return refuse(400, "unauthorized_client", 700016, "Application with identifier '\(client)' was not found in the directory '\(tenant)'.")
        }
        if let secret = form["client_secret"] {
            guard clientSecrets[account] == secret else { return refuse(401, "invalid_client", 7_000_215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.") }
        } else if let assertion = form["client_assertion"] {
            guard form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", clientAssertions[account] == assertion else {
                return refuse(401, "invalid_client", 700_213, "No matching federated identity record found for presented assertion.")
            }
        } else {
            return refuse(401, "invalid_client", 7_000_218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
        }
        grants += 1
        let issued = "eyJ0eXAiOiJKV1QifQ.issued-\(grants)"
        tokens.insert(issued)
        return Self.json(200, ["token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": issued])
    }
}
