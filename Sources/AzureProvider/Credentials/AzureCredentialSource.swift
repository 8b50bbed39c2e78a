/// Where the chain's access token came from, for the log line that says which source was used
/// (and for callers that report it). Describing a source never shows a token, a client secret,
/// an assertion or a managed identity header: tenant and client ids are not secrets.
public enum AzureCredentialSource: Sendable, Hashable, CustomStringConvertible {
    /// The provider's `accessToken` setting.
    case accessTokenSetting
    /// A service principal whose secret is the provider's `clientSecret` setting.
    case clientSecretSetting(tenantID: String, clientID: String)
    /// A service principal whose secret is `AZURE_CLIENT_SECRET`.
    case environmentClientSecret(tenantID: String, clientID: String)
    /// Workload identity federation: the token in `AZURE_FEDERATED_TOKEN_FILE` as the assertion.
    case workloadIdentity(tenantID: String, clientID: String, tokenFile: String)
    /// A managed identity, from the endpoint named (the instance metadata service, or App
    /// Service's and Container Apps' `IDENTITY_ENDPOINT`); `clientID` names a user-assigned one.
    case managedIdentity(endpoint: String, clientID: String?)
    /// `az account get-access-token`.
    case azureCLI

    public var description: String {
        switch self {
        case .accessTokenSetting:
            return "the provider's accessToken setting"
        case .clientSecretSetting(let tenant, let client):
            return "service principal \(client) in tenant \(tenant) (the provider's clientSecret setting)"
        case .environmentClientSecret(let tenant, let client):
            return "service principal \(client) in tenant \(tenant) (AZURE_CLIENT_SECRET)"
        case .workloadIdentity(let tenant, let client, let file):
            return "workload identity \(client) in tenant \(tenant) (token file \(file))"
        case .managedIdentity(let endpoint, let client):
            return (client.map { "user-assigned managed identity \($0)" } ?? "the managed identity") + " at \(endpoint)"
        case .azureCLI:
            return "az account get-access-token"
        }
    }

    /// Whether the token was given as is, so it cannot be renewed when it is rejected.
    var isExplicitToken: Bool {
        self == .accessTokenSetting
    }
}
