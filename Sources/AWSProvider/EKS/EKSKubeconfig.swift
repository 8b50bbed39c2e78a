import Foundation

/// A kubeconfig for an EKS cluster that needs no `aws` CLI: its exec plugin runs this agent
/// (`cloud-agent token eks`), which prints a fresh token from the same credential chain.
enum EKSKubeconfig {
    /// How the kubeconfig gets tokens.
    enum AuthMode: String, Sendable {
        /// `cloud-agent token eks …` (the default).
        case agent
        /// `aws eks get-token …`, for machines that have the AWS CLI and prefer it.
        case awsCLI = "aws-cli"
    }

    /// - Parameter agentPath: the agent binary the exec plugin runs (default: this process's).
    static func render(cluster: String, arn: String, endpoint: String, caData: String, region: String,
                       profile: String?, roleArn: String?, authMode: AuthMode = .agent,
                       agentPath: String = EKSKubeconfig.agentExecutable()) -> String {
        var command: String
        var arguments: [String]
        switch authMode {
        case .agent:
            command = agentPath
            arguments = ["token", "eks", "--cluster", cluster, "--region", region]
            if let roleArn { arguments += ["--role-arn", roleArn] }
            if let profile { arguments += ["--profile", profile] }
        case .awsCLI:
            command = "aws"
            arguments = ["--region", region, "eks", "get-token", "--cluster-name", cluster, "--output", "json"]
            if let roleArn { arguments += ["--role-arn", roleArn] }
        }
        var env = ""
        if authMode == .awsCLI, let profile {
            env = "\n      env:\n      - name: AWS_PROFILE\n        value: \(quoted(profile))"
        }
        return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: \(quoted(arn))
          cluster:
            server: \(quoted(endpoint))
            certificate-authority-data: \(caData)
        contexts:
        - name: \(quoted(arn))
          context:
            cluster: \(quoted(arn))
            user: \(quoted(arn))
        current-context: \(quoted(arn))
        users:
        - name: \(quoted(arn))
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: \(quoted(command))
              args:
        \(arguments.map { "      - \(quoted($0))" }.joined(separator: "\n"))
              interactiveMode: Never
              provideClusterInfo: false\(env)
        preferences: {}

        """
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The absolute path of the running agent (so the kubeconfig works whatever PATH is).
    static func agentExecutable() -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        return CommandLine.arguments.first ?? "cloud-agent"
    }
}
