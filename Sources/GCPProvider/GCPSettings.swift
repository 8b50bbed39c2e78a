import CloudCore

/// The settings a `gcp` provider accepts (config file entry or `configureProvider`).
public enum GCPSettings {
    public static let specs: [SettingSpec] = [
        SettingSpec("project", "Project id.", check: projectID),
        SettingSpec("quotaProject", "Project API calls are charged to (x-goog-user-project).", check: projectID),
        SettingSpec("location", "Zone or region of clusters.", check: SettingChecks.regionName),
        SettingSpec("zone", "Default zone of instances.", check: SettingChecks.regionName),
        SettingSpec("accessToken", "OAuth 2.0 access token.", secret: true),
        SettingSpec("credentialsFile", "Application Default Credentials JSON file."),
        SettingSpec("endpointURL", "Base URL serving the GKE and Compute paths (tests).", check: SettingChecks.url),
    ]

    /// Google's project id rule: 6 to 30 lowercase letters, digits and hyphens, starting with a letter.
    @Sendable static func projectID(_ text: String) -> String? {
        let valid = (6...30).contains(text.count) && text.first!.isLetter && text.last! != "-"
            && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
        return valid ? nil : "must be a project id: 6 to 30 lowercase letters, digits and hyphens, starting with a letter"
    }
}
