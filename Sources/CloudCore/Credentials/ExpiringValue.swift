/// A value that expires (an access token, temporary credentials), refreshed once however many
/// callers ask at the same time, and before it expires.
///
/// The refresh in flight is kept in the actor's state, so concurrent callers await the same
/// refresh instead of starting their own (as soto's `ExpiringValue` does).
public actor ExpiringValue<Value: Sendable> {
    /// How long before expiry a value is refreshed.
    public let refreshMargin: Duration
    private let clock = ContinuousClock()
    private var current: (value: Value, expires: ContinuousClock.Instant?)?
    private var refreshing: Task<(Value, Duration?), any Error>?
    /// Refreshes made so far (for tests and diagnostics).
    public private(set) var refreshCount = 0

    public init(refreshMargin: Duration = .seconds(300)) {
        self.refreshMargin = refreshMargin
    }

    /// The current value, refreshed with `fetch` first if there is none or it expires within
    /// the margin. `fetch` returns the value and how long it stays valid (nil: forever).
    public func value(fetch: @escaping @Sendable () async throws -> (Value, Duration?)) async throws -> Value {
        if let current, current.expires.map({ clock.now + refreshMargin < $0 }) ?? true {
            return current.value
        }
        if let refreshing { return try await refreshing.value.0 }
        let task = Task { try await fetch() }
        refreshing = task
        defer { refreshing = nil }
        let (value, lifetime) = try await task.value
        refreshCount += 1
        current = (value, lifetime.map { clock.now + $0 })
        return value
    }

    /// Forgets the value (e.g. after the cloud rejected it), so the next call refreshes.
    public func invalidate() {
        current = nil
    }
}
