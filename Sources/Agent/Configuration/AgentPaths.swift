/// Where the agent finds its config file and keeps its state, following the XDG base
/// directory rules.
public struct AgentPaths: Sendable, Equatable {
    /// The config file to read; nil when none was given and the default does not apply.
    public var configFile: String
    /// Whether `configFile` was given explicitly (`--config`), so a missing file is an error.
    public var configFileIsExplicit: Bool
    /// The agent's state directory (`$XDG_STATE_HOME/cloud-agent`).
    public var stateDirectory: String

    public init(configFile: String, configFileIsExplicit: Bool, stateDirectory: String) {
        self.configFile = configFile
        self.configFileIsExplicit = configFileIsExplicit
        self.stateDirectory = stateDirectory
    }

    /// `--config` if given, else `$XDG_CONFIG_HOME/cloud-agent/config.json` (or
    /// `~/.config/…`); state under `$XDG_STATE_HOME/cloud-agent` (or `~/.local/state/…`).
    public static func resolve(explicitConfig: String?, environment: [String: String]) -> AgentPaths {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        func base(_ variable: String, fallback: String) -> String {
            // The XDG spec says relative paths are invalid and must be ignored.
            if let value = environment[variable], value.hasPrefix("/") { return value }
            return "\(home)/\(fallback)"
        }
        let configHome = base("XDG_CONFIG_HOME", fallback: ".config")
        let stateHome = base("XDG_STATE_HOME", fallback: ".local/state")
        return AgentPaths(configFile: explicitConfig ?? "\(configHome)/cloud-agent/config.json",
                          configFileIsExplicit: explicitConfig != nil,
                          stateDirectory: "\(stateHome)/cloud-agent")
    }
}
