/// One configured provider: its name, kind, region and validated settings.
///
/// Built from an entry of the config file's `providers` array or from `configureProvider`
/// params; the agent validates every setting against the kind's `SettingSpec`s first.
public struct ProviderConfiguration: Sendable, Equatable {
    public var name: String
    public var kind: ProviderKind
    public var region: String?
    /// Every other setting, by key, already checked against the kind's specs.
    public var settings: [String: SettingValue]

    public init(name: String, kind: ProviderKind, region: String? = nil, settings: [String: SettingValue] = [:]) {
        self.name = name
        self.kind = kind
        self.region = region
        self.settings = settings
    }

    public func string(_ key: String) -> String? {
        if case .string(let value)? = settings[key] { return value }
        return nil
    }

    public func number(_ key: String) -> Double? {
        if case .number(let value)? = settings[key] { return value }
        return nil
    }

    public func bool(_ key: String) -> Bool? {
        if case .bool(let value)? = settings[key] { return value }
        return nil
    }
}
