import CloudCore
import Foundation

/// A kubeconfig for an EKS cluster that needs no `aws` CLI: its exec plugin runs this agent
/// (`cloud-agent token eks`), which prints a fresh token from the same credential chain.
enum EKSKubeconfig {
    /// How the kubeconfig gets tokens (`getKubeconfig`'s `authMode`).
    enum AuthMode: String, Sendable, CaseIterable {
        /// `cloud-agent token eks …` (the default).
        case agent
        /// `aws eks get-token …`, for machines that have the AWS CLI and prefer it.
        case awsCLI = "aws-cli"
    }

    /// The exec credential plugin: command, arguments and environment.
    struct Exec: Sendable, Equatable {
        var command: String
        var arguments: [String]
        var environment: [(name: String, value: String)] = []

        static func == (lhs: Exec, rhs: Exec) -> Bool {
            lhs.command == rhs.command && lhs.arguments == rhs.arguments
                && lhs.environment.map(\.name) == rhs.environment.map(\.name) && lhs.environment.map(\.value) == rhs.environment.map(\.value)
        }

        /// This agent, at `executable`, with `options`.
        static func agent(_ executable: String, _ options: EKSTokenCommand.Options) -> Exec {
            Exec(command: executable, arguments: options.arguments)
        }

        /// `aws eks get-token`, as `aws eks update-kubeconfig` writes it.
        static func awsCLI(cluster: String, region: String, profile: String?, roleArn: String?) -> Exec {
            var arguments = ["--region", region, "eks", "get-token", "--cluster-name", cluster, "--output", "json"]
            if let roleArn { arguments += ["--role-arn", roleArn] }
            return Exec(command: "aws", arguments: arguments, environment: profile.map { [("AWS_PROFILE", $0)] } ?? [])
        }
    }

    static func render(cluster: String, arn: String, endpoint: String, caData: String, exec: Exec) -> String {
        var env = ""
        if !exec.environment.isEmpty {
            env = "\n      env:" + exec.environment.map { "\n      - name: \(quoted($0.name))\n        value: \(quoted($0.value))" }.joined()
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
              command: \(quoted(exec.command))
              args:
        \(exec.arguments.map { "      - \(quoted($0))" }.joined(separator: "\n"))
              interactiveMode: Never
              provideClusterInfo: false\(env)
        preferences: {}

        """
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
