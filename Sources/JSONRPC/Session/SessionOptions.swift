/// Limits that keep one session from exhausting the agent.
public struct SessionOptions: Sendable {
    /// Longest accepted line in bytes; longer ones are answered -32600 and skipped.
    public var maxMessageBytes: Int
    /// Requests of one session running at once; reading pauses beyond this.
    public var maxConcurrentRequests: Int
    /// How long to wait, after cancelling everything at the end of a session, for handlers to answer.
    public var drainTimeoutSeconds: Double

    public static let defaultMaxMessageBytes = 16 << 20

    public init(maxMessageBytes: Int = defaultMaxMessageBytes, maxConcurrentRequests: Int = 4096,
                drainTimeoutSeconds: Double = 10) {
        self.maxMessageBytes = maxMessageBytes
        self.maxConcurrentRequests = maxConcurrentRequests
        self.drainTimeoutSeconds = drainTimeoutSeconds
    }
}
