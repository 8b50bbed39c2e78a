/// When to send a failed request again: capped exponential backoff with full jitter, as the
/// AWS SDKs' standard mode does, honouring a server's `Retry-After`.
public struct RetryPolicy: Sendable, Equatable {
    /// What to do after a failed attempt.
    public enum Decision: Sendable, Equatable {
        case retry(after: Duration)
        case giveUp
    }

    /// Attempts in all, the first included.
    public var maxAttempts: Int
    public var base: Duration
    public var maximumDelay: Duration

    public init(maxAttempts: Int = 3, base: Duration = .seconds(1), maximumDelay: Duration = .seconds(20)) {
        self.maxAttempts = max(1, maxAttempts)
        self.base = base
        self.maximumDelay = maximumDelay
    }

    /// Decides after attempt number `attempt` (1 for the first) failed.
    /// - Parameters:
    ///   - retryable: whether the failure is one that may pass (throttling, 5xx, connection).
    ///   - retryAfter: the server's `Retry-After`, in seconds, if it sent one.
    ///   - random: a value in `0..<1` (full jitter).
    public func decide(attempt: Int, retryable: Bool, retryAfter: Double? = nil,
                       random: () -> Double = { Double.random(in: 0..<1) }) -> Decision {
        guard retryable, attempt < maxAttempts else { return .giveUp }
        let ceiling = min(maximumDelay.seconds, base.seconds * Double(1 << min(attempt - 1, 30)))
        var seconds = ceiling * random()
        if let retryAfter, retryAfter.isFinite, retryAfter > 0 { seconds = max(seconds, min(retryAfter, 300)) }
        return .retry(after: .nanoseconds(Int64(seconds * 1e9)))
    }

    /// Whether an HTTP status is worth retrying: 429 and the 5xx that say "try later".
    public static func isRetryable(status: Int) -> Bool {
        status == 429 || status == 500 || status == 502 || status == 503 || status == 504
    }

    /// `Retry-After` in seconds (the delta-seconds form; dates are ignored).
    public static func retryAfter(_ response: HTTPResponse) -> Double? {
        response.header("retry-after").flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }
}
