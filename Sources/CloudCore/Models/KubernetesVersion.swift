/// A Kubernetes version a provider offers for new clusters or as an upgrade target.
public struct KubernetesVersion: Codable, Sendable, Equatable {
    public var version: String
    /// Whether new clusters get this version when none is asked for.
    public var isDefault: Bool
    /// `standard` or `extended` support, when the cloud says.
    public var support: String?

    public init(version: String, isDefault: Bool, support: String? = nil) {
        self.version = version
        self.isDefault = isDefault
        self.support = support
    }
}
