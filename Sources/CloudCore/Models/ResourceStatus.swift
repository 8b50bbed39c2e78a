/// The one status vocabulary callers script against, whatever the cloud.
///
/// Clusters and node pools use `active` when ready; instances use `running`. Each model also
/// carries the cloud's own raw value (`providerStatus` / `providerState`). A value this
/// version does not know decodes as `unknown`, so newer agents never break older clients.
public enum ResourceStatus: String, Codable, Sendable, CaseIterable {
    case creating, active, running, updating, stopping, stopped, deleting, deleted, failed, unknown

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        self = ResourceStatus(rawValue: raw) ?? .unknown
    }

    /// Whether the resource is ready for use (`active` or `running`).
    public var isReady: Bool { self == .active || self == .running }
}
