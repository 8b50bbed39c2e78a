/// The value of one provider setting, as written in the config file or `configureProvider`.
public enum SettingValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case bool(Bool)
}

extension SettingValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}
