import Foundation

/// How a kubeconfig's credential plugin runs this agent again (`cloud-agent token …`): the
/// agent's binary, and the config file the provider was read from, so the plugin can find
/// the provider's own settings there.
public struct AgentInvocation: Sendable, Equatable {
    /// The agent binary, by absolute path, so the kubeconfig works whatever kubectl's PATH is.
    public var executable: String
    /// The config file the provider came from; nil for a provider added at run time.
    public var configFile: String?

    public init(executable: String = AgentInvocation.currentExecutable(), configFile: String? = nil) {
        self.executable = executable
        self.configFile = configFile
    }

    /// The absolute path of the running agent.
    public static func currentExecutable() -> String {
        if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
        return CommandLine.arguments.first ?? "cloud-agent"
    }
}
