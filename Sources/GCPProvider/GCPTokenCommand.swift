import CloudCore
import Diagnostics
import Foundation

/// `cloud-agent token gcp`: the exec credential plugin of the kubeconfigs the GCP provider
/// writes. Prints an `ExecCredential` with a fresh access token from Google's credentials.
public enum GCPTokenCommand {
    /// The `ExecCredential` JSON. `settings` is the config file's provider when the plugin was
    /// given one (its accessToken or credentialsFile), else nil for the environment's credentials.
    public static func execCredential(settings: ProviderConfiguration?, environment: [String: String], logger: Logger) async throws -> String {
        let configuration = settings ?? ProviderConfiguration(name: "gcp", kind: .gcp, region: nil, settings: [:])
        let token = try await GCPCloudProvider.tokenSource(configuration, environment: environment, logger: logger).token()
        return ExecCredential.json(token: token.value, expiration: token.expiresAt)
    }
}
