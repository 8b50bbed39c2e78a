/// How `getKubeconfig` should build the kubeconfig.
public struct KubeconfigOptions: Sendable, Equatable {
    /// How kubectl gets credentials: nil for the provider's default; otherwise one of the
    /// modes the provider documents (`agent`, `aws-cli` …). Others are an invalid request.
    public var authMode: String?

    public init(authMode: String? = nil) {
        self.authMode = authMode
    }

    /// The mode asked for, checked against the ones the provider offers; nil means default.
    public func authMode(among offered: [String], provider: String) throws(CloudProviderError) -> String? {
        guard let authMode else { return nil }
        guard offered.contains(authMode) else {
            throw .invalidRequest(field: "authMode", reason: offered.isEmpty
                ? "is not supported by the \(provider) provider, whose kubeconfigs need no credential plugin"
                : "must be \(offered.map { "'\($0)'" }.joined(separator: " or ")) for the \(provider) provider")
        }
        return authMode
    }
}
