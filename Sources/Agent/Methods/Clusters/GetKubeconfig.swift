import CloudCore
import JSONRPC

/// `getKubeconfig`: a kubeconfig for the cluster, optionally also written to a file (0600,
/// atomically).
enum GetKubeconfig: RPCMethod {
    static let name = "getKubeconfig"

    struct Params: AgentParams {
        var provider: String?
        var name: String
        /// Also write the kubeconfig to this file (replaced atomically, mode 0600).
        var path: String?
        /// How kubectl gets credentials; the provider's default when absent.
        var authMode: String?
        /// AKS's name for the kubeconfig's form (`azure` or `exec`).
        var format: String?

        enum CodingKeys: String, CodingKey, CaseIterable { case provider, name, path, authMode, format }
    }

    struct Result: Codable, Sendable {
        var kubeconfig: String
        /// The file written, when `path` was given.
        var path: String?
    }

    static func run(_ params: Params, _ context: RequestContext, _ providers: ProviderRegistry) async throws -> Result {
        try ResourceRules.clusterName(params.name)
        if let path = params.path, !path.hasPrefix("/") {
            throw RPCError.invalidParams(param: "path", reason: "must be an absolute path (the agent's working directory is not the caller's)")
        }
        let kubeconfig = try await providers.provider(named: params.provider).getKubeconfig(cluster: params.name, options: KubeconfigOptions(authMode: params.authMode, format: params.format))
        if let path = params.path {
            do {
                try AtomicFile.write(Array(kubeconfig.utf8), to: path)
            } catch {
                throw RPCError(code: .internalError, message: "cannot write the kubeconfig: \(error)",
                               data: ["type": "fileError", "path": .string(path)])
            }
        }
        return Result(kubeconfig: kubeconfig, path: params.path)
    }
}
