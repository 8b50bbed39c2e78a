import Foundation

/// Which endpoints the agent may talk to: https anywhere, http only on loopback and to the
/// link-local instance metadata services.
public enum EndpointPolicy {
    public static func check(_ url: URL) throws(HTTPTransportError) {
        switch url.scheme?.lowercased() {
        case "https":
            return
        case "http":
            guard let host = url.host, isLoopback(host) || isInstanceMetadata(host) else {
                throw HTTPTransportError(.refused, "plain http is allowed only to loopback addresses, not \(url.host ?? "?"); use https")
            }
        default:
            throw HTTPTransportError(.refused, "unsupported URL scheme '\(url.scheme ?? "")'")
        }
    }

    /// The link-local metadata services of cloud hosts (EC2 IMDS, ECS container credentials,
    /// GCE metadata), which only ever speak plain http and never leave the host.
    public static func isInstanceMetadata(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return ["169.254.169.254", "169.254.170.2", "169.254.170.23", "fd00:ec2::254", "fd00:ec2::23"].contains(bare)
    }

    /// `localhost`, 127.0.0.0/8 or ::1.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
