/// How `getKubeconfig` should build the kubeconfig.
public struct KubeconfigOptions: Sendable, Equatable {
    /// How kubectl gets credentials: nil for the provider's default; otherwise one of the
    /// modes the provider documents (`agent`, `aws-cli` …). Others are an invalid request.
    public var authMode: String?
    /// AKS's name for the same choice (`listClusterUserCredential`'s `format`): `azure` or
    /// `exec`; only the azure provider takes it.
    public var format: String?

    public init(authMode: String? = nil, format: String? = nil) {
        self.authMode = authMode
        self.format = format
    }

    /// Refuses `format` on providers that do not take it.
    public func refuseFormat(provider: String) throws(CloudProviderError) {
        if format != nil {
            throw .invalidRequest(field: "format", reason: "is an option of the azure provider only; the \(provider) provider takes authMode")
        }
    }

    /// The mode asked for, checked against the ones the provider offers; nil means default.
    public func authMode(among offered: [String], provider: String) throws(CloudProviderError) -> String? {
        if provider != "azure" { try refuseFormat(provider: provider) }
        guard let authMode else { return nil }
        guard offered.contains(authMode) else {
            throw .invalidRequest(field: "authMode", reason: offered.isEmpty
                ? "is not supported by the \(provider) provider, whose kubeconfigs need no credential plugin"
                : "must be \(offered.map { "'\($0)'" }.joined(separator: " or ")) for the \(provider) provider")
        }
        return authMode
    }
}
