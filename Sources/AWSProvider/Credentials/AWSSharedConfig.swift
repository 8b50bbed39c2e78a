import Foundation

/// The shared AWS config and credentials files (`~/.aws/config`, `~/.aws/credentials`), as
/// the AWS CLI and SDKs read them.
///
/// INI sections: `[default]` and `[profile NAME]` in the config file, `[NAME]` in the
/// credentials file; `#` and `;` start comments; indented lines continue a nested block
/// (ignored). For a profile, credentials-file values win over config-file values.
struct AWSSharedConfig: Sendable, Equatable {
    /// Every profile's settings, keys lowercased.
    var profiles: [String: [String: String]]

    init(config: String?, credentials: String?) {
        var merged: [String: [String: String]] = [:]
        for (name, values) in Self.sections(config ?? "", isConfigFile: true) {
            merged[name, default: [:]].merge(values) { _, new in new }
        }
        for (name, values) in Self.sections(credentials ?? "", isConfigFile: false) {
            merged[name, default: [:]].merge(values) { _, new in new }
        }
        profiles = merged
    }

    func profile(_ name: String) -> [String: String]? { profiles[name] }

    /// `(profile name, settings)` for each section of one file.
    static func sections(_ text: String, isConfigFile: Bool) -> [(String, [String: String])] {
        var result: [(String, [String: String])] = []
        var current: String?
        var values: [String: String] = [:]
        var inNestedBlock = false
        func flush() {
            if let current { result.append((current, values)) }
            values = [:]
        }
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("[") && trimmed.hasSuffix("]") {
                flush()
                inNestedBlock = false
                let inner = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if isConfigFile {
                    if inner == "default" {
                        current = "default"
                    } else if inner.hasPrefix("profile ") {
                        current = inner.dropFirst("profile ".count).trimmingCharacters(in: .whitespaces)
                    } else {
                        current = nil  // sso-session, services and other non-profile sections
                    }
                } else {
                    current = inner
                }
                continue
            }
            guard current != nil else { continue }
            if line.first == " " || line.first == "\t" {
                if inNestedBlock { continue }
            }
            guard let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.isEmpty {
                inNestedBlock = true  // `s3 =` followed by an indented block
                continue
            }
            inNestedBlock = false
            // Inline comments need whitespace before the marker, as in botocore.
            for marker in [" #", " ;", "\t#", "\t;"] {
                if let range = value.range(of: marker) { value = value[..<range.lowerBound].trimmingCharacters(in: .whitespaces) }
            }
            values[key] = value
        }
        flush()
        return result
    }
}
