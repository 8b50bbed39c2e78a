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
    ]

    /// ARM's rule: 1 to 90 letters, digits, '_', '-', '.', '(' and ')', not ending with '.'.
    @Sendable static func resourceGroupName(_ text: String) -> String? {
        let valid = text.count <= 90 && text.last! != "."
            && text.allSatisfy { $0.isLetter || $0.isNumber || "_-.()".contains($0) }
        return valid ? nil : "must be 1 to 90 letters, digits, '_', '-', '.', '(' or ')', not ending with '.'"
    }
}
