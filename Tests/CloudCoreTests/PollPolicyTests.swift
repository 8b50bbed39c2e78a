import Testing
@testable import CloudCore

@Suite struct PollPolicyTests {
    let policy = PollPolicy(initial: .seconds(1), maximum: .seconds(8), multiplier: 2, jitter: 0.5)

    @Test func delaysGrowByTheMultiplierUntilTheCap() {
        let delays = (0..<6).map { policy.delay(attempt: $0, random: { 0 }).seconds }
        #expect(delays == [1, 2, 4, 8, 8, 8])
    }

    @Test func jitterShortensADelayByAtMostItsFraction() {
        #expect(policy.delay(attempt: 2, random: { 0.999_999 }).seconds > 2.0)
        #expect(policy.delay(attempt: 2, random: { 0.5 }).seconds == 3.0)
        for _ in 0..<200 {
            let seconds = policy.delay(attempt: 1).seconds
            #expect(seconds > 1.0 && seconds <= 2.0)
        }
    }

    @Test func hugeAttemptNumbersStayAtTheCap() {
        #expect(policy.delay(attempt: Int.max, random: { 0 }).seconds == 8)
    }

    @Test func outOfRangeSettingsAreClamped() {
        let odd = PollPolicy(initial: .seconds(5), maximum: .seconds(1), multiplier: 0.1, jitter: 7)
        #expect(odd.maximum == .seconds(5))
        #expect(odd.multiplier == 1)
        #expect(odd.jitter == 1)
    }
}
