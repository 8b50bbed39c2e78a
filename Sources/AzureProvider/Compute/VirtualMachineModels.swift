// `Microsoft.Compute` 2023-09-01 and `Microsoft.Network` 2023-09-01 shapes the agent reads or
// sends, as the REST reference gives them. Unknown members are ignored; enums stay strings.

/// `VirtualMachine`.
struct AzureVirtualMachine: Codable, Sendable, Equatable {
    var id: String?
    var name: String?
    var location: String
    var tags: [String: String]?
    var zones: [String]?
    var properties: Properties

    struct Properties: Codable, Sendable, Equatable {
        var hardwareProfile: HardwareProfile?
        var storageProfile: StorageProfile?
        var osProfile: OSProfile?
        var networkProfile: NetworkProfile?
        /// Creating, Updating, Deleting, Succeeded, Failed, Canceled …
        var provisioningState: String?
        var instanceView: InstanceView?
        var vmId: String?
        var timeCreated: String?

        init() {}
    }

    struct HardwareProfile: Codable, Sendable, Equatable { var vmSize: String? }

    struct StorageProfile: Codable, Sendable, Equatable {
        var imageReference: ImageReference?
        var osDisk: OSDisk?
    }

    /// A marketplace image (`publisher`, `offer`, `sku`, `version`) or an image resource `id`.
    struct ImageReference: Codable, Sendable, Equatable {
        var id: String?
        var publisher: String?
        var offer: String?
        var sku: String?
        var version: String?
    }

    struct OSDisk: Codable, Sendable, Equatable {
        var createOption: String?
        /// Delete or Detach: what happens to the disk when the VM is deleted.
        var deleteOption: String?
        var diskSizeGB: Int?
        var managedDisk: ManagedDisk?
        var name: String?
    }

    struct ManagedDisk: Codable, Sendable, Equatable { var storageAccountType: String? }

    struct OSProfile: Codable, Sendable, Equatable {
        var computerName: String?
        var adminUsername: String?
        var customData: String?
        var linuxConfiguration: LinuxConfiguration?
    }

    struct LinuxConfiguration: Codable, Sendable, Equatable {
        var disablePasswordAuthentication: Bool?
        var ssh: SSH?
    }

    struct SSH: Codable, Sendable, Equatable { var publicKeys: [SSHPublicKey]? }
    struct SSHPublicKey: Codable, Sendable, Equatable {
        var path: String
        var keyData: String
    }

    struct NetworkProfile: Codable, Sendable, Equatable { var networkInterfaces: [NetworkInterfaceReference]? }
    struct NetworkInterfaceReference: Codable, Sendable, Equatable {
        var id: String
        var properties: ReferenceProperties?
    }
    struct ReferenceProperties: Codable, Sendable, Equatable {
        var primary: Bool?
        var deleteOption: String?
    }

    struct InstanceView: Codable, Sendable, Equatable { var statuses: [Status]? }
    /// `ProvisioningState/succeeded`, `PowerState/running` …
    struct Status: Codable, Sendable, Equatable {
        var code: String?
        var displayStatus: String?
        var time: String?
    }

    /// The power state of the instance view (`running`, `stopped`, `deallocated`, `starting` …).
    var powerState: String? {
        properties.instanceView?.statuses?.compactMap(\.code).first { $0.hasPrefix("PowerState/") }.map { String($0.dropFirst("PowerState/".count)) }
    }

    /// The instance view's failed provisioning status, which names why the last operation
    /// failed (`ProvisioningState/failed/AllocationFailed`).
    var provisioningFailure: String? {
        properties.instanceView?.statuses?.compactMap(\.code).first { $0.lowercased().hasPrefix("provisioningstate/failed") }
    }
}

/// A `VirtualMachine` as List All answers it with `statusOnly=true`: its id and instance view.
struct AzureVirtualMachineStatus: Codable, Sendable, Equatable {
    var id: String?
    var name: String?
    var properties: Properties?

    struct Properties: Codable, Sendable, Equatable { var instanceView: AzureVirtualMachine.InstanceView? }
}

/// `NetworkInterface`.
struct AzureNetworkInterface: Codable, Sendable, Equatable {
    var id: String?
    var name: String?
    var location: String
    var tags: [String: String]?
    var properties: Properties

    struct Properties: Codable, Sendable, Equatable {
        var ipConfigurations: [IPConfiguration]
        var networkSecurityGroup: Reference?
        var provisioningState: String?
    }

    struct IPConfiguration: Codable, Sendable, Equatable {
        var name: String
        var properties: IPConfigurationProperties
    }

    struct IPConfigurationProperties: Codable, Sendable, Equatable {
        var subnet: Reference?
        var privateIPAllocationMethod: String?
        var privateIPAddress: String?
        var publicIPAddress: PublicIPReference?
        var primary: Bool?
    }

    struct Reference: Codable, Sendable, Equatable { var id: String }
    struct PublicIPReference: Codable, Sendable, Equatable {
        var id: String
        var properties: AzureVirtualMachine.ReferenceProperties?
    }
}

/// `PublicIPAddress`.
struct AzurePublicIPAddress: Codable, Sendable, Equatable {
    var id: String?
    var name: String?
    var location: String
    var tags: [String: String]?
    var zones: [String]?
    var sku: SKU?
    var properties: Properties

    struct SKU: Codable, Sendable, Equatable { var name: String }
    struct Properties: Codable, Sendable, Equatable {
        var publicIPAllocationMethod: String?
        var publicIPAddressVersion: String?
        var ipAddress: String?
        var provisioningState: String?
    }
}
