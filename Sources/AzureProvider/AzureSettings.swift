import CloudCore

/// The settings an `azure` provider accepts (config file entry or `configureProvider`).
public enum AzureSettings {
    public static let specs: [SettingSpec] = [
        SettingSpec("subscriptionId", "Subscription id.", check: SettingChecks.guid),
        SettingSpec("resourceGroup", "Resource group of clusters and VMs.", check: resourceGroupName),
        SettingSpec("location", "Azure region (e.g. eastus).", check: SettingChecks.regionName),
        SettingSpec("accessToken", "ARM bearer token.", secret: true),
        SettingSpec("tenantId", "Directory (tenant) id of the service principal.", check: SettingChecks.guid),
        SettingSpec("clientId", "Application (client) id of the service principal.", check: SettingChecks.guid),
        SettingSpec("clientSecret", "Client secret of the service principal.", secret: true),
        SettingSpec("authorityHost", "Microsoft Entra authority (sovereign clouds).", check: SettingChecks.url),
        SettingSpec("endpointURL", "ARM base URL (tests, sovereign clouds).", check: SettingChecks.url),
        SettingSpec("subnetId", "Resource id of the subnet of VMs created without a subnet.", check: subnetID),
        SettingSpec("adminUsername", "The administrator account of VMs (default azureuser).", check: adminUsername),
    ]

    /// A subnet's resource id: `/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V/subnets/N`.
    @Sendable static func subnetID(_ text: String) -> String? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let valid = text.hasPrefix("/") && parts.count == 11 && parts[1].lowercased() == "subscriptions" && parts[3].lowercased() == "resourcegroups"
            && parts[6].lowercased() == "microsoft.network" && parts[7].lowercased() == "virtualnetworks" && parts[9].lowercased() == "subnets"
        return valid ? nil : "must be a subnet resource id: /subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/VNET/subnets/NAME"
    }

    /// The admin user names Compute refuses (its documented list).
    static let reservedUsernames: Set<String> = [
        "1", "123", "a", "actuser", "adm", "admin", "admin1", "admin2", "administrator", "aspnet", "backup", "console", "david", "guest", "john",
        "owner", "root", "server", "sql", "support", "support_388945a0", "sys", "test", "test1", "test2", "test3", "user", "user1", "user2",
        "user3", "user4", "user5",
    ]

    /// Azure's rule for Linux admin users: 1 to 32 lowercase letters, digits, '-' and '_',
    /// starting with a letter, and not a reserved name.
    @Sendable static func adminUsername(_ text: String) -> String? {
        let valid = (1...32).contains(text.count) && text.first!.isLetter && !reservedUsernames.contains(text)
            && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
        return valid ? nil : "must be 1 to 32 lowercase letters, digits, '-' and '_', starting with a letter, and not a reserved name (root, admin …)"
    }

    /// ARM's rule: 1 to 90 letters, digits, '_', '-', '.', '(' and ')', not ending with '.'.
    @Sendable static func resourceGroupName(_ text: String) -> String? {
        let valid = text.count <= 90 && text.last! != "."
            && text.allSatisfy { $0.isLetter || $0.isNumber || "_-.()".contains($0) }
        return valid ? nil : "must be 1 to 90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.'"
    }
}
