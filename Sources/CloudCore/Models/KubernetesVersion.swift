/// A Kubernetes version a provider offers for new clusters or as an upgrade target.
public struct KubernetesVersion: Codable, Sendable, Equatable {
    public var version: String
    /// Whether new clusters get this version when none is asked for.
    public var isDefault: Bool
    /// `standard` or `extended` support, when the cloud says.
    public var support: String?
    /// The release channels that offer this version (GKE: `rapid`, `regular`, `stable`,
    /// `extended`), when the cloud has channels.
    public var releaseChannels: [String]?
    /// The release channels whose new clusters get this version by default.
    public var defaultForChannels: [String]?

    public init(version: String, isDefault: Bool, support: String? = nil,
                releaseChannels: [String]? = nil, defaultForChannels: [String]? = nil) {
        self.version = version
        self.isDefault = isDefault
        self.support = support
        self.releaseChannels = releaseChannels
        self.defaultForChannels = defaultForChannels
    }
}
