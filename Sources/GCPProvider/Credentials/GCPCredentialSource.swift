/// Where the chain's access token came from, for the log line that says which source was used
/// (and for callers that report it). Describing a source never shows a token or a key.
public enum GCPCredentialSource: Sendable, Hashable, CustomStringConvertible {
    /// The provider's `accessToken` setting.
    case accessTokenSetting
    /// `GOOGLE_OAUTH_ACCESS_TOKEN` in the environment.
    case environmentAccessToken
    /// A `service_account` key file.
    case serviceAccount(email: String, file: String)
    /// An `authorized_user` file (what `gcloud auth application-default login` writes).
    case authorizedUser(file: String)
    /// The GCE metadata server's default service account.
    case metadataServer(host: String)
    /// `gcloud auth print-access-token`.
    case gcloud

    public var description: String {
        switch self {
        case .accessTokenSetting: return "the provider's accessToken setting"
        case .environmentAccessToken: return "the environment (GOOGLE_OAUTH_ACCESS_TOKEN)"
        case .serviceAccount(let email, let file): return "service account \(email) (file \(file))"
        case .authorizedUser(let file): return "user credentials (file \(file))"
        case .metadataServer(let host): return "the GCE metadata server's default service account (\(host))"
        case .gcloud: return "gcloud auth print-access-token"
        }
    }

    /// Whether the token was given as is, so it cannot be refreshed when it is rejected.
    var isExplicitToken: Bool {
        self == .accessTokenSetting || self == .environmentAccessToken
    }
}
