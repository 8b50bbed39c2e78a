import AWSProvider
import AzureProvider
import CloudCore
import GCPProvider
import JSONRPC
import LocalProvider

/// Reads one provider entry (`{"name", "kind", "region", ...settings}`), as found in the
/// config file's `providers` array and as sent to `configureProvider`, and checks every field.
enum ProviderEntryParser {
    /// A field that is wrong, named by its key, and why. Never quotes a value.
    struct Problem: Error, Equatable {
        var field: String
        var reason: String
    }

    /// The settings each kind accepts besides `name`, `kind` and `region`.
    static func specs(for kind: ProviderKind) -> [SettingSpec] {
        switch kind {
        case .local: return LocalSettings.specs
        case .aws: return AWSSettings.specs
        case .gcp: return GCPSettings.specs
        case .azure: return AzureSettings.specs
        }
    }

    /// Keys of an entry that are not settings (`progressToken` and `_meta` come with requests).
    static let reservedKeys: Set<String> = ["name", "kind", "region"]

    static func parse(_ entry: JSONValue, ignoring ignored: Set<String> = []) throws(Problem) -> ProviderConfiguration {
        guard case .object(let members) = entry else {
            throw Problem(field: "", reason: "must be an object such as {\"name\": \"prod\", \"kind\": \"aws\", \"region\": \"eu-west-1\"}")
        }
        guard let nameValue = members["name"] else { throw Problem(field: "name", reason: "is required") }
        guard case .string(let name) = nameValue else { throw Problem(field: "name", reason: "must be a string") }
        try checkName(name)
        guard let kindValue = members["kind"] else { throw Problem(field: "kind", reason: "is required (local, aws, gcp or azure)") }
        guard case .string(let kindName) = kindValue, let kind = ProviderKind(rawValue: kindName) else {
            throw Problem(field: "kind", reason: "must be one of local, aws, gcp, azure")
        }
        var region: String?
        if let regionValue = members["region"] {
            guard case .string(let text) = regionValue else { throw Problem(field: "region", reason: "must be a string") }
            if let reason = SettingChecks.regionName(text) { throw Problem(field: "region", reason: reason) }
            region = text
        }
        let specs = Dictionary(uniqueKeysWithValues: specs(for: kind).map { ($0.key, $0) })
        var settings: [String: SettingValue] = [:]
        for key in members.keys.sorted() where !reservedKeys.contains(key) && !ignored.contains(key) {
            guard let spec = specs[key] else {
                let known = specs.keys.sorted()
                let suggestion = known.first { $0.lowercased() == key.lowercased() }
                throw Problem(field: key, reason: "is not a setting of kind \(kind.rawValue) ("
                              + (suggestion.map { "did you mean '\($0)'?" } ?? "settings: region, \(known.joined(separator: ", "))") + ")")
            }
            let value: SettingValue
            switch members[key]! {
            case .string(let text): value = .string(text)
            case .bool(let flag): value = .bool(flag)
            case .number(let number) where number.doubleValue != nil: value = .number(number.doubleValue!)
            default: throw Problem(field: key, reason: "must be \(describe(spec.type))")
            }
            if let reason = spec.problem(with: value) { throw Problem(field: key, reason: reason) }
            settings[key] = value
        }
        return ProviderConfiguration(name: name, kind: kind, region: region, settings: settings)
    }

    /// Provider names: 1 to 63 lowercase letters, digits, '-' and '_', starting with a letter or digit.
    static func checkName(_ name: String) throws(Problem) {
        let valid = (1...63).contains(name.count) && name.first!.isASCII && (name.first!.isLetter || name.first!.isNumber)
            && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
        if !valid {
            throw Problem(field: "name", reason: "must be 1 to 63 lowercase letters, digits, '-' and '_', starting with a letter or digit")
        }
    }

    /// The entry as shown back by `listProviders`: secrets replaced by `"<redacted>"`.
    static func describe(_ configuration: ProviderConfiguration, isDefault: Bool) -> JSONValue {
        let specs = Dictionary(uniqueKeysWithValues: specs(for: configuration.kind).map { ($0.key, $0) })
        var settings: [String: JSONValue] = [:]
        for (key, value) in configuration.settings {
            if specs[key]?.isSecret ?? true {
                settings[key] = .string(redacted)
                continue
            }
            switch value {
            case .string(let text): settings[key] = .string(text)
            case .number(let number): settings[key] = .double(number)
            case .bool(let flag): settings[key] = .bool(flag)
            }
        }
        var members: [String: JSONValue] = [
            "name": .string(configuration.name), "kind": .string(configuration.kind.rawValue),
            "isDefault": .bool(isDefault), "implemented": true,
            "settings": .object(settings),
        ]
        if let region = configuration.region ?? (configuration.kind == .local ? LocalSettings.defaultRegion : nil) {
            members["region"] = .string(region)
        }
        return .object(members)
    }

    /// What a secret setting's value is shown as.
    static let redacted = "<redacted>"

    private static func describe(_ type: SettingSpec.ValueType) -> String {
        switch type {
        case .string: return "a string"
        case .number: return "a number"
        case .boolean: return "a boolean"
        }
    }
}
