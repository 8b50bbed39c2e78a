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

    /// The exec plugins of the two modes.
    enum Exec {
        /// This agent, at `executable`, with `options`.
        static func agent(_ executable: String, _ options: EKSTokenCommand.Options) -> ExecKubeconfig.Plugin {
            ExecKubeconfig.Plugin(command: executable, arguments: options.arguments)
        }

        /// `aws eks get-token`, as `aws eks update-kubeconfig` writes it.
        static func awsCLI(cluster: String, region: String, profile: String?, roleArn: String?) -> ExecKubeconfig.Plugin {
            var arguments = ["--region", region, "eks", "get-token", "--cluster-name", cluster, "--output", "json"]
            if let roleArn { arguments += ["--role-arn", roleArn] }
            return ExecKubeconfig.Plugin(command: "aws", arguments: arguments, environment: profile.map { ["AWS_PROFILE": $0] } ?? [:])
        }
    }

    static func render(cluster: String, arn: String, endpoint: String, caData: String, exec: ExecKubeconfig.Plugin) -> String {
        ExecKubeconfig(name: arn, server: endpoint, caData: caData, plugin: exec).yaml
    }
}
