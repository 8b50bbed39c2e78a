import CloudCore
import Foundation

/// The kubeconfigs of AKS clusters: the one `listClusterUserCredential` answers (decoded from
/// base64), or, for clusters with Microsoft Entra integration, one whose exec plugin runs this
/// agent (`cloud-agent token azure`) instead of `kubelogin`.
enum AKSKubeconfig {
    /// How the kubeconfig gets credentials (`getKubeconfig`'s `authMode`; AKS's `format`
    /// `azure` is `azure`, `exec` is `agent`).
    enum AuthMode: String, Sendable, CaseIterable {
        /// As AKS answers it: the cluster's own credentials, or kubelogin for AAD clusters.
        case azure
        /// `cloud-agent token azure …` for AAD clusters.
        case agent
    }

    /// The mode `options` ask for, `azure` by default.
    static func mode(_ options: KubeconfigOptions) throws(CloudProviderError) -> AuthMode {
        let fromFormat: AuthMode?
        switch options.format {
        case nil: fromFormat = nil
        case "azure"?: fromFormat = .azure
        case "exec"?: fromFormat = .agent
        default: throw .invalidRequest(field: "format", reason: "must be 'azure' or 'exec' for the azure provider")
        }
        let fromMode = try options.authMode(among: AuthMode.allCases.map(\.rawValue), provider: "azure").flatMap(AuthMode.init(rawValue:))
        if let fromMode, let fromFormat, fromMode != fromFormat {
            throw .invalidRequest(field: "format", reason: "contradicts authMode '\(fromMode.rawValue)'; give one of them")
        }
        return fromMode ?? fromFormat ?? .azure
    }

    /// The first kubeconfig of a `listClusterUserCredential` answer, decoded.
    static func decode(_ results: AKSCredentialResults, cluster: String) throws(CloudProviderError) -> String {
        guard let value = results.kubeconfigs?.first?.value, let data = Data(base64Encoded: value),
              let text = String(data: data, encoding: .utf8), !text.isEmpty else {
            throw .providerError(ProviderFailure(code: "MalformedResponse",
                                                 message: "AKS answered listClusterUserCredential of cluster '\(cluster)' without a base64 kubeconfig"))
        }
        return text
    }

    /// The first `server:` and `certificate-authority-data:` of a kubeconfig AKS wrote.
    static func serverAndCA(of kubeconfig: String) -> (server: String, caData: String)? {
        func value(_ key: String) -> String? {
            for line in kubeconfig.split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                guard trimmed.hasPrefix(key + ":") else { continue }
                let raw = trimmed.dropFirst(key.count + 1).trimmingCharacters(in: .whitespaces)
                return raw.trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
            }
            return nil
        }
        guard let server = value("server"), let ca = value("certificate-authority-data") else { return nil }
        return (server, ca)
    }

    /// A kubeconfig for `cluster` whose plugin runs this agent for a Microsoft Entra token.
    static func agent(cluster: String, server: String, caData: String, agentPath: String, agentArguments: [String]) -> String {
        ExecKubeconfig(name: cluster, server: server, caData: caData,
                       plugin: ExecKubeconfig.Plugin(command: agentPath, arguments: agentArguments)).yaml
    }
}
