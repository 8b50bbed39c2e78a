import CloudCore

/// What the simulated cloud offers: Kubernetes versions, default machine types and images,
/// and how long each phase takes at `timeScale` 1.
enum LocalCatalog {
    static let versions: [KubernetesVersion] = [
        KubernetesVersion(version: "1.31", isDefault: false, support: "extended"),
        KubernetesVersion(version: "1.32", isDefault: false, support: "standard"),
        KubernetesVersion(version: "1.33", isDefault: true, support: "standard"),
        KubernetesVersion(version: "1.34", isDefault: false, support: "standard"),
    ]
    static var defaultVersion: String { versions.first(where: \.isDefault)!.version }

    static let defaultNodeType = "local.medium"
    static let defaultInstanceType = "local.small"
    static let defaultImage = "local-linux-24.04"
    static let defaultPoolName = "default"
    static let zoneSuffixes = ["a", "b", "c"]

    /// The tag that makes a simulated cluster fail at the end of its creation, for testing failure paths.
    static let simulateTag = "local:simulate"

    /// Terminated instances stay listed this long, as on EC2 (real seconds, not scaled).
    static let terminatedRetention = 3600.0

    /// Phase lengths in seconds at `timeScale` 1.
    enum Duration {
        static let controlPlane = 2.0
        static let nodePool = 1.0
        static let poolDeletion = 1.0
        static let controlPlaneDeletion = 1.0
        static let controlPlaneUpgrade = 1.5
        static let poolUpgrade = 1.0
        static let poolScaling = 1.0
        static let instanceTransition = 1.0
    }

    /// `major` and `minor` of a version such as "1.33" or "1.33.2".
    static func minor(of version: String) -> (major: Int, minor: Int)? {
        let parts = version.split(separator: ".")
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1].prefix(while: \.isNumber)) else { return nil }
        return (major, minor)
    }
}
