/// One setting a provider kind accepts: its name, type, whether it is a secret, and its check.
///
/// Secrets are never echoed back: not in `listProviders`, not in errors, not in logs.
public struct SettingSpec: Sendable {
    public enum ValueType: Sendable {
        case string
        case number(ClosedRange<Double>)
        case boolean
    }

    public var key: String
    public var type: ValueType
    public var isSecret: Bool
    /// One line for people, shown in errors and the protocol document.
    public var summary: String
    /// Checks a string value; returns why it is wrong, or nil. Never quote secret values.
    public var check: (@Sendable (String) -> String?)?

    public init(_ key: String, _ summary: String, type: ValueType = .string, secret: Bool = false,
                check: (@Sendable (String) -> String?)? = nil) {
        self.key = key
        self.type = type
        self.isSecret = secret
        self.summary = summary
        self.check = check
    }

    /// Checks a value against this spec; returns why it is wrong, or nil.
    public func problem(with value: SettingValue) -> String? {
        switch (type, value) {
        case (.string, .string(let text)):
            if text.isEmpty { return "must not be empty" }
            return check?(text)
        case (.number(let range), .number(let number)):
            return range.contains(number) ? nil : "must be a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))"
        case (.boolean, .bool):
            return nil
        case (.string, _): return "must be a string"
        case (.number, _): return "must be a number"
        case (.boolean, _): return "must be a boolean"
        }
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// Checks shared by several providers' settings.
public enum SettingChecks {
    /// An `http` or `https` URL with a host (endpoint overrides, authority hosts).
    @Sendable public static func url(_ text: String) -> String? {
        let pieces = text.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard pieces.count == 2 else { return "must be an http:// or https:// URL" }
        let scheme = pieces[0].lowercased()
        let rest = pieces[1]
        guard scheme == "http" || scheme == "https", let host = rest.split(separator: "/").first, !host.isEmpty,
              !text.contains(where: { $0 == " " || $0 == "\n" }) else {
            return "must be an http:// or https:// URL with a host"
        }
        return nil
    }

    /// A region, zone or location name: lowercase letters, digits and hyphens.
    @Sendable public static func regionName(_ text: String) -> String? {
        (try? ResourceRules.region(text)) == nil ? "must be lowercase letters, digits and hyphens (e.g. \"eu-west-1\")" : nil
    }

    /// A GUID such as an Azure subscription, tenant or client id.
    @Sendable public static func guid(_ text: String) -> String? {
        let groups = text.split(separator: "-", omittingEmptySubsequences: false).map(\.count)
        guard groups == [8, 4, 4, 4, 12], text.allSatisfy({ $0 == "-" || $0.isHexDigit }) else {
            return "must be a GUID such as 00000000-0000-0000-0000-000000000000"
        }
        return nil
    }

    /// An IAM role ARN: `arn:aws:iam::123456789012:role/Name`.
    @Sendable public static func iamRoleARN(_ text: String) -> String? {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "iam",
              parts[4].count == 12, parts[4].allSatisfy(\.isASCIIDigit), parts[5].hasPrefix("role/"), parts[5].count > 5 else {
            return "must be an IAM role ARN such as arn:aws:iam::123456789012:role/Name"
        }
        return nil
    }
}
