import Diagnostics

extension RetryPolicy {
    /// The step after attempt `attempt` of a call failed with `failure`: sleeps as the policy
    /// says and returns (the caller sends again), or throws `failure` when the attempts are
    /// spent or it may not pass (a throttling error then carries the server's `Retry-After`).
    public func pauseOrThrow(after failure: CloudProviderError, attempt: Int, retryAfter: Double?, label: String,
                             logger: Logger) async throws {
        switch decide(attempt: attempt, retryable: failure.isRetryable, retryAfter: retryAfter) {
        case .giveUp:
            if case .throttled(_, let reason) = failure { throw CloudProviderError.throttled(retryAfterSeconds: retryAfter, reason: reason) }
            throw failure
        case .retry(let delay):
            logger.debug("\(label): attempt \(attempt) failed (\(failure)); retrying in \(delay)")
            try await Task.sleep(for: delay)
        }
    }
}
