// AKS `Microsoft.ContainerService` 2023-11-01 shapes, as the REST reference gives them (only
// the members the agent reads or sends). Unknown members are ignored; enums stay strings.

/// `ManagedCluster`.
struct AKSManagedCluster: Codable, Sendable, Equatable {
    var id: String?
    var name: String?
    var location: String
    var tags: [String: String]?
    var identity: Identity?
    var properties: Properties

    struct Identity: Codable, Sendable, Equatable { var type: String }
    struct PowerState: Codable, Sendable, Equatable { var code: String? }

    struct Properties: Codable, Sendable, Equatable {
        /// Creating, Updating, Upgrading, Scaling, Starting, Stopping, Deleting, Succeeded, Failed, Canceled …
        var provisioningState: String?
        var powerState: PowerState?
        var kubernetesVersion: String?
        var currentKubernetesVersion: String?
        var dnsPrefix: String?
        var fqdn: String?
        var privateFQDN: String?
        var agentPoolProfiles: [AKSAgentPoolProfile]?
        var nodeResourceGroup: String?
        var enableRBAC: Bool?
        var aadProfile: AADProfile?
        var apiServerAccessProfile: APIServerAccessProfile?

        init() {}
    }

    struct AADProfile: Codable, Sendable, Equatable {
        var managed: Bool?
        var enableAzureRBAC: Bool?
    }

    struct APIServerAccessProfile: Codable, Sendable, Equatable {
        var enablePrivateCluster: Bool?
        var authorizedIPRanges: [String]?
    }
}

/// An entry of `agentPoolProfiles`, and the `properties` of an agent pool resource.
struct AKSAgentPoolProfile: Codable, Sendable, Equatable {
    /// Only in `agentPoolProfiles`.
    var name: String?
    var count: Int?
    var vmSize: String?
    /// System or User.
    var mode: String?
    var osType: String?
    var type: String?
    var orchestratorVersion: String?
    var currentOrchestratorVersion: String?
    var provisioningState: String?
    var powerState: AKSManagedCluster.PowerState?
    var vnetSubnetID: String?
    var tags: [String: String]?

    init(name: String? = nil, count: Int? = nil, vmSize: String? = nil, mode: String? = nil) {
        self.name = name
        self.count = count
        self.vmSize = vmSize
        self.mode = mode
    }
}

/// An agent pool resource (`…/managedClusters/C/agentPools/P`).
struct AKSAgentPool: Codable, Sendable, Equatable {
    var id: String?
    var name: String?
    var properties: AKSAgentPoolProfile
}

/// A page of a list: `value` and the absolute `nextLink` of the next page.
struct ARMList<Item: Codable & Sendable>: Codable, Sendable {
    var value: [Item]?
    var nextLink: String?
}

/// `listClusterUserCredential`'s answer: base64 kubeconfigs.
struct AKSCredentialResults: Codable, Sendable, Equatable {
    struct Credential: Codable, Sendable, Equatable {
        var name: String?
        var value: String?
    }
    var kubeconfigs: [Credential]?
}

/// `upgradeProfiles/default`.
struct AKSUpgradeProfile: Codable, Sendable, Equatable {
    struct Upgrade: Codable, Sendable, Equatable {
        var kubernetesVersion: String
        var isPreview: Bool?
    }
    struct ControlPlane: Codable, Sendable, Equatable {
        var kubernetesVersion: String?
        var upgrades: [Upgrade]?
    }
    struct Properties: Codable, Sendable, Equatable { var controlPlaneProfile: ControlPlane? }
    var properties: Properties?
}

/// `locations/L/kubernetesVersions` (2023-11-01): minor versions with their patches.
struct AKSKubernetesVersions: Codable, Sendable, Equatable {
    struct Version: Codable, Sendable, Equatable {
        struct Capabilities: Codable, Sendable, Equatable { var supportPlan: [String]? }
        struct Patch: Codable, Sendable, Equatable { var upgrades: [String]? }
        var version: String
        var isDefault: Bool?
        var isPreview: Bool?
        var capabilities: Capabilities?
        var patchVersions: [String: Patch]?
    }
    var values: [Version]?
}
