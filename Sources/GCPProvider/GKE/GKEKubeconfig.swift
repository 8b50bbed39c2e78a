import CloudCore

/// A kubeconfig for a GKE cluster that needs no `gcloud`: its exec plugin runs this agent
/// (`cloud-agent token gcp`), which prints a fresh access token from the same credentials.
enum GKEKubeconfig {
    /// How the kubeconfig gets tokens (`getKubeconfig`'s `authMode`).
    enum AuthMode: String, Sendable, CaseIterable {
        /// `cloud-agent token gcp …` (the default).
        case agent
        /// `gke-gcloud-auth-plugin`, as `gcloud container clusters get-credentials` writes it.
        case gcloud
    }

    static let gcloudInstallHint = "Install gke-gcloud-auth-plugin for use with kubectl by following https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl#install_plugin"

    /// - Parameters:
    ///   - contextName: `gke_PROJECT_LOCATION_NAME`, as gcloud names it.
    ///   - endpoint: `https://IP`.
    static func render(contextName: String, endpoint: String, caData: String, mode: AuthMode, agentPath: String,
                       agentArguments: [String]) -> String {
        let plugin: ExecKubeconfig.Plugin
        switch mode {
        case .agent:
            plugin = ExecKubeconfig.Plugin(command: agentPath, arguments: agentArguments)
        case .gcloud:
            plugin = ExecKubeconfig.Plugin(command: "gke-gcloud-auth-plugin", arguments: [], installHint: gcloudInstallHint,
                                           interactiveMode: "IfAvailable", provideClusterInfo: true)
        }
        return ExecKubeconfig(name: contextName, server: endpoint, caData: caData, plugin: plugin).yaml
    }
}
