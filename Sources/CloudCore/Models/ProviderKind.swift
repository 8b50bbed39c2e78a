/// Which cloud (or the built-in simulator) a configured provider talks to.
public enum ProviderKind: String, Codable, Sendable, CaseIterable {
    case local, aws, gcp, azure
}
