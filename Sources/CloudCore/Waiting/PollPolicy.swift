/// How often a wait polls: capped exponential backoff with jitter.
///
/// The n-th delay (from 0) is `min(maximum, initial × multiplier^n)`, then reduced by a random
/// fraction of up to `jitter` of itself, so many agents polling one cloud spread out.
public struct PollPolicy: Sendable, Equatable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    /// 0 (no jitter) to 1 (a delay anywhere from 0 to the full value).
    public var jitter: Double

    public init(initial: Duration, maximum: Duration, multiplier: Double = 1.5, jitter: Double = 0.2) {
        self.initial = initial
        self.maximum = max(initial, maximum)
        self.multiplier = max(1, multiplier)
        self.jitter = min(1, max(0, jitter))
    }

    /// What the clouds' own waiters do: start at 5 s, back off to 30 s.
    public static let cloud = PollPolicy(initial: .seconds(5), maximum: .seconds(30))

    /// The delay before poll `attempt + 1`; `random` returns a value in `0..<1`.
    public func delay(attempt: Int, random: () -> Double = { Double.random(in: 0..<1) }) -> Duration {
        let initialSeconds = initial.seconds
        let maximumSeconds = maximum.seconds
        // Stop multiplying once past the cap, so huge attempts cannot overflow.
        var seconds = initialSeconds
        var step = 0
        while step < attempt, seconds < maximumSeconds {
            seconds *= multiplier
            step += 1
        }
        seconds = min(seconds, maximumSeconds)
        seconds *= 1 - jitter * random()
        return .nanoseconds(Int64(seconds * 1e9))
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    public var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) * 1e-18
    }
}
