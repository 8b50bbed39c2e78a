import CloudCore
import Diagnostics
import Foundation

/// `cloud-agent token azure`: the exec credential plugin of the kubeconfigs the azure provider
/// writes for Microsoft Entra clusters. Prints an `ExecCredential` with a token for AKS's
/// server application, from the provider's settings or the environment's credentials.
public enum AzureTokenCommand {
    /// The `ExecCredential` JSON. `settings` is the config file's provider when the plugin was
    /// given one, else nil for the environment's credentials.
    public static func execCredential(settings: ProviderConfiguration?, environment: [String: String], logger: Logger) async throws -> String {
        let configuration = settings ?? ProviderConfiguration(name: "azure", kind: .azure, region: nil, settings: [:])
        let chain = AzureCloudProvider.tokenSource(configuration, scope: "\(AzureCloudProvider.aksServerApplication)/.default",
                                                   environment: environment, logger: logger)
        let token = try await chain.token()
        return ExecCredential.json(token: token.value, expiration: token.expiresAt)
    }
}
