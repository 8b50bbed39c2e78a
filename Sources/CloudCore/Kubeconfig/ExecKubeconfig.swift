import Foundation

/// A kubeconfig (v1) for one cluster whose user gets credentials from an exec plugin
/// (`client.authentication.k8s.io/v1beta1`): what the EKS and GKE providers write.
public struct ExecKubeconfig: Sendable, Equatable {
    /// The plugin kubectl runs for a token.
    public struct Plugin: Sendable, Equatable {
        public var command: String
        public var arguments: [String]
        public var environment: [String: String]
        /// Shown by kubectl when `command` is not installed.
        public var installHint: String?
        /// `Never` for the agent's own plugin; `IfAvailable` for tools that may prompt.
        public var interactiveMode: String
        public var provideClusterInfo: Bool

        public init(command: String, arguments: [String], environment: [String: String] = [:], installHint: String? = nil,
                    interactiveMode: String = "Never", provideClusterInfo: Bool = false) {
            self.command = command
            self.arguments = arguments
            self.environment = environment
            self.installHint = installHint
            self.interactiveMode = interactiveMode
            self.provideClusterInfo = provideClusterInfo
        }
    }

    /// The name of the cluster, context and user (the cluster ARN on EKS, `gke_P_L_N` on GKE).
    public var name: String
    public var server: String
    /// Base64 of the cluster's PEM CA certificate.
    public var caData: String
    public var plugin: Plugin

    public init(name: String, server: String, caData: String, plugin: Plugin) {
        self.name = name
        self.server = server
        self.caData = caData
        self.plugin = plugin
    }

    /// The YAML text.
    public var yaml: String {
        var env = ""
        if !plugin.environment.isEmpty {
            env = "\n      env:" + plugin.environment.sorted { $0.key < $1.key }
                .map { "\n      - name: \(Self.quoted($0.key))\n        value: \(Self.quoted($0.value))" }.joined()
        }
        let hint = plugin.installHint.map { "\n      installHint: \(Self.quoted($0))" } ?? ""
        let arguments = plugin.arguments.isEmpty ? "      args: []" : "      args:\n" + plugin.arguments.map { "      - \(Self.quoted($0))" }.joined(separator: "\n")
        return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: \(Self.quoted(name))
          cluster:
            server: \(Self.quoted(server))
            certificate-authority-data: \(caData)
        contexts:
        - name: \(Self.quoted(name))
          context:
            cluster: \(Self.quoted(name))
            user: \(Self.quoted(name))
        current-context: \(Self.quoted(name))
        users:
        - name: \(Self.quoted(name))
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1beta1
              command: \(Self.quoted(plugin.command))
        \(arguments)
              interactiveMode: \(plugin.interactiveMode)
              provideClusterInfo: \(plugin.provideClusterInfo)\(hint)\(env)
        preferences: {}

        """
    }

    /// A YAML double-quoted scalar.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 { result += String(format: "\\x%02X", scalar.value) } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result + "\""
    }
}
