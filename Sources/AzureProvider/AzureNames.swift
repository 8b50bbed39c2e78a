import CloudCore

/// Azure's naming rules for what the agent creates, checked before any call so a bad name is
/// a clear -32602 rather than an ARM error after a round trip.
enum AzureNames {
    /// Managed clusters: 1 to 63 letters, digits, '_' and '-', starting and ending with a
    /// letter or digit.
    static func clusterName(_ name: String) throws(CloudProviderError) {
        guard (1...63).contains(name.count), name.first!.isASCIIAlnum, name.last!.isASCIIAlnum,
              name.allSatisfy({ $0.isASCIIAlnum || $0 == "_" || $0 == "-" }) else {
            throw .invalidRequest(field: "name", reason: "must be 1 to 63 letters, digits, '_' and '-', starting and ending with a letter or digit (AKS's rule); got \"\(name)\"")
        }
    }

    /// Linux virtual machines: 1 to 64 letters, digits and '-', not ending with '-' (the name
    /// is also the host name).
    static func virtualMachineName(_ name: String) throws(CloudProviderError) {
        guard (1...64).contains(name.count), name.allSatisfy({ $0.isASCIIAlnum || $0 == "-" }), name.last != "-", name.first != "-" else {
            throw .invalidRequest(field: "name", reason: "must be 1 to 64 letters, digits and '-', not starting or ending with '-' (Azure's rule for Linux VMs); got \"\(name)\"")
        }
    }

    /// The DNS prefix of a cluster's API server: its name, without what DNS refuses, at most 54.
    static func dnsPrefix(for cluster: String) -> String {
        var prefix = String(cluster.map { $0 == "_" ? "-" : $0 }.prefix(54))
        while prefix.last == "-" { prefix.removeLast() }
        return prefix
    }
}

extension Character {
    fileprivate var isASCIIAlnum: Bool { isASCII && (isLetter || isNumber) }
}
