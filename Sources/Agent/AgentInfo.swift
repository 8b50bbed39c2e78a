/// The agent's name, version and protocol revision, as reported by `initialize` and `--version`.
public enum AgentInfo {
    public static let name = "cloud-agent"
    public static let version = "0.1.0"
    /// The revision of the wire protocol described in `protocol/`.
    public static let protocolVersion = "2026-11-28"
    /// Transports the agent serves.
    public static let transports = ["stdio", "unix"]
}
