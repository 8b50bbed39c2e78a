/// The naming and sizing rules every cloud enforces, checked before any call.
///
/// A value that breaks these fails on every cloud, so it is refused up front with the field
/// named. Providers add their own, stricter rules on top (see `PortableRules`).
public enum ResourceRules {
    /// Cluster and node pool sizes every cloud accepts.
    public static let nodeCountRange = 0...1000
    public static let maximumTags = 50

    public static func clusterName(_ name: String, field: String = "name") throws(CloudProviderError) {
        try identifier(name, field: field, maxLength: 100, what: "a cluster name")
    }

    public static func nodePoolName(_ name: String, field: String = "name") throws(CloudProviderError) {
        try identifier(name, field: field, maxLength: 63, what: "a node pool name")
    }

    public static func instanceName(_ name: String, field: String = "name") throws(CloudProviderError) {
        guard !name.isEmpty, name.utf8.count <= 255 else {
            throw .invalidRequest(field: field, reason: "must be 1 to 255 bytes long")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidRequest(field: field, reason: "must not contain control characters")
        }
    }

    public static func nodeCount(_ count: Int, field: String = "nodeCount", range: ClosedRange<Int> = nodeCountRange) throws(CloudProviderError) {
        guard range.contains(count) else {
            throw .invalidRequest(field: field, reason: "must be from \(range.lowerBound) to \(range.upperBound), got \(count)")
        }
    }

    /// A Kubernetes version as clouds spell it: `1.30`, `1.30.2`, `1.30.2-gke.1587003`.
    public static func version(_ version: String, field: String = "version") throws(CloudProviderError) {
        if version.hasPrefix("v") {
            throw .invalidRequest(field: field, reason: "must be written without the leading 'v' (e.g. \"1.30\"), got \"\(version)\"")
        }
        let core = version.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        let numeric = parts.allSatisfy { !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isASCIIDigit) }
        guard version.count <= 64, (2...3).contains(parts.count), numeric,
              version.allSatisfy({ $0.isASCIIAlphanumeric || "-.+_".contains($0) }) else {
            throw .invalidRequest(field: field, reason: "must be a Kubernetes version such as \"1.30\" or \"1.30.2\", got \"\(version)\"")
        }
    }

    public static func region(_ region: String, field: String = "region") throws(CloudProviderError) {
        guard !region.isEmpty, region.count <= 64,
              region.allSatisfy({ ($0.isASCIIAlphanumeric && !$0.isUppercase) || $0 == "-" }) else {
            throw .invalidRequest(field: field, reason: "must be a region name of lowercase letters, digits and hyphens (e.g. \"eu-west-1\")")
        }
    }

    public static func tags(_ tags: [String: String], field: String = "tags") throws(CloudProviderError) {
        guard tags.count <= maximumTags else {
            throw .invalidRequest(field: field, reason: "has \(tags.count) tags; at most \(maximumTags) are allowed")
        }
        for (key, value) in tags.sorted(by: { $0.key < $1.key }) {
            guard !key.isEmpty, key.count <= 128 else {
                throw .invalidRequest(field: "\(field).\(key)", reason: "tag keys must be 1 to 128 characters long")
            }
            guard value.count <= 256 else {
                throw .invalidRequest(field: "\(field).\(key)", reason: "tag values must be at most 256 characters long")
            }
        }
    }

    public static func nonEmptyList(_ values: [String], field: String, maximum: Int) throws(CloudProviderError) {
        guard values.count <= maximum else {
            throw .invalidRequest(field: field, reason: "must have at most \(maximum) entries")
        }
        for (index, value) in values.enumerated() where value.isEmpty || value.count > 1024 {
            throw .invalidRequest(field: "\(field)[\(index)]", reason: "must be a non-empty string")
        }
    }

    /// An idempotency key: 1 to 64 printable ASCII characters (EC2's and EKS's limits).
    public static func clientToken(_ token: String, field: String = "clientToken") throws(CloudProviderError) {
        guard (1...64).contains(token.utf8.count), token.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .invalidRequest(field: field, reason: "must be 1 to 64 printable ASCII characters without spaces")
        }
    }

    /// Whether `text` is an IPv4 CIDR block: four decimal octets, a slash, a prefix length 0 to 32.
    public static func isIPv4CIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let length = Int(parts[1]), (0...32).contains(length), parts[1].allSatisfy(\.isNumber) else { return false }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) && Int($0)! <= 255 }
    }

    /// An OpenSSH public key line: `ssh-ed25519 AAAA… [comment]`.
    public static func sshPublicKey(_ key: String, field: String = "sshPublicKey") throws(CloudProviderError) {
        let parts = key.split(separator: " ", omittingEmptySubsequences: true)
        let types = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
                     "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com"]
        guard parts.count >= 2, types.contains(String(parts[0])), parts[1].hasPrefix("AAAA"),
              parts[1].allSatisfy({ $0.isASCIIAlphanumeric || "+/=".contains($0) }), !key.contains("\n") else {
            throw .invalidRequest(field: field, reason: "must be one OpenSSH public key line such as \"ssh-ed25519 AAAA… user@host\"")
        }
    }

    /// User data (cloud-init and friends), at most 16 KiB as on EC2.
    public static func userData(_ data: String, field: String = "userData") throws(CloudProviderError) {
        guard data.utf8.count <= 16 * 1024 else {
            throw .invalidRequest(field: field, reason: "must be at most 16384 bytes, got \(data.utf8.count)")
        }
    }

    /// Letters, digits, `-` and `_`, starting with a letter or digit.
    private static func identifier(_ name: String, field: String, maxLength: Int, what: String) throws(CloudProviderError) {
        guard !name.isEmpty, name.count <= maxLength else {
            throw .invalidRequest(field: field, reason: "must be 1 to \(maxLength) characters long to be \(what)")
        }
        guard name.first!.isASCIIAlphanumeric, name.allSatisfy({ $0.isASCIIAlphanumeric || $0 == "-" || $0 == "_" }) else {
            throw .invalidRequest(field: field, reason: "must start with a letter or digit and hold only letters, digits, '-' and '_' to be \(what), got \"\(name)\"")
        }
    }
}

/// Stricter rules that hold on every cloud at once: a name that passes works on EKS, GKE and
/// AKS alike. The `local` provider enforces them, so scripts developed offline port unchanged.
public enum PortableRules {
    /// GKE's rule, the strictest: lowercase letters, digits and hyphens, starting with a letter,
    /// ending with a letter or digit, at most 40 characters.
    public static func clusterName(_ name: String, field: String = "name") throws(CloudProviderError) {
        try dnsLabel(name, field: field, maxLength: 40, what: "a cluster name")
    }

    /// AKS's rule, the strictest: lowercase letters and digits, starting with a letter, at most 12.
    public static func nodePoolName(_ name: String, field: String = "name") throws(CloudProviderError) {
        guard (1...12).contains(name.count), name.first!.isLowercaseASCIILetter,
              name.allSatisfy({ $0.isLowercaseASCIILetter || $0.isASCIIDigit }) else {
            throw .invalidRequest(field: field, reason: "must be 1 to 12 lowercase letters and digits starting with a letter (AKS's rule, the strictest), got \"\(name)\"")
        }
    }

    /// Compute Engine's rule: a lowercase DNS label of at most 63 characters.
    public static func instanceName(_ name: String, field: String = "name") throws(CloudProviderError) {
        try dnsLabel(name, field: field, maxLength: 63, what: "an instance name")
    }

    private static func dnsLabel(_ name: String, field: String, maxLength: Int, what: String) throws(CloudProviderError) {
        guard (1...maxLength).contains(name.count), name.first!.isLowercaseASCIILetter,
              name.last!.isLowercaseASCIILetter || name.last!.isASCIIDigit,
              name.allSatisfy({ $0.isLowercaseASCIILetter || $0.isASCIIDigit || $0 == "-" }) else {
            throw .invalidRequest(field: field, reason: "must be 1 to \(maxLength) lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit, to be \(what) every cloud accepts; got \"\(name)\"")
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIIAlphanumeric: Bool { isASCII && (isLetter || isNumber) }
    var isLowercaseASCIILetter: Bool { isASCII && isLowercase && isLetter }
}
