/// The kubeconfig of a simulated cluster: valid for kubectl, pointing nowhere.
enum LocalKubeconfig {
    /// A kubeconfig whose server and token are clearly placeholders: the server is under the
    /// reserved `.invalid` domain and the token says what it is.
    static func render(provider: String, cluster: String, endpoint: String) -> String {
        let context = "\(provider)-\(cluster)"
        return """
        # Kubeconfig for cluster '\(cluster)' of cloud-agent's local provider '\(provider)'.
        # The cluster is simulated: the server address and the token below are placeholders;
        # nothing listens there and the token grants nothing.
        apiVersion: v1
        kind: Config
        clusters:
        - name: \(context)
          cluster:
            server: \(endpoint)
            insecure-skip-tls-verify: true
        contexts:
        - name: \(context)
          context:
            cluster: \(context)
            user: \(context)
        current-context: \(context)
        users:
        - name: \(context)
          user:
            token: local-placeholder-token-not-a-secret
        preferences: {}

        """
    }
}
