import Synchronization
import Testing
@testable import CloudCore

/// A fake resource whose status follows a script, one entry per poll (the last repeats).
private actor ScriptedResource {
    private var script: [Result<ResourceStatus, CloudProviderError>]
    private(set) var polls = 0

    init(_ script: [Result<ResourceStatus, CloudProviderError>]) { self.script = script }
    init(statuses: [ResourceStatus]) { self.script = statuses.map { .success($0) } }

    func poll() throws -> WaitObservation<String> {
        polls += 1
        let next = script.count > 1 ? script.removeFirst() : script[0]
        let status = try next.get()
        return WaitObservation(resource: "cluster-\(status.rawValue)", status: status, providerStatus: status.rawValue.uppercased(),
                               statusMessage: status == .creating ? "creating control plane" : nil)
    }
}

private final class EventLog: Sendable {
    private let events = Mutex<[WaitProgress]>([])
    func append(_ event: WaitProgress) { events.withLock { $0.append(event) } }
    var all: [WaitProgress] { events.withLock { $0 } }
}

@Suite struct ResourceWaiterTests {
    let fast = PollPolicy(initial: .milliseconds(5), maximum: .milliseconds(10), jitter: 0)
    let subject = WaitSubject(resourceType: "cluster", name: "demo", target: .ready)

    @Test func returnsTheResourceOnceItReachesTheTarget() async throws {
        let resource = ScriptedResource(statuses: [.creating, .creating, .active])
        let waiter = ResourceWaiter<String>()
        let result = try await waiter.wait(for: subject, options: WaitOptions(timeout: .seconds(60)), policy: fast) { _ in
            try await resource.poll()
        }
        #expect(result == "cluster-active")
        #expect(await resource.polls == 3)
    }

    @Test func concurrentWaitsOnOneResourceShareOnePollLoop() async throws {
        let resource = ScriptedResource(statuses: Array(repeating: .creating, count: 20) + [.active])
        let waiter = ResourceWaiter<String>()
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<200 {
                group.addTask {
                    try await waiter.wait(for: subject, options: WaitOptions(timeout: .seconds(60)), policy: fast) { _ in
                        try await resource.poll()
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 200)
        #expect(results.allSatisfy { $0 == "cluster-active" })
        let statistics = await waiter.currentStatistics
        #expect(statistics.waits == 200)
        #expect(statistics.activeWaits == 0)
        // Waits that began after the loop ended would start a second one; the script has 21 polls.
        #expect(statistics.pollLoops <= 2)
        #expect(await resource.polls <= 42)
    }

    @Test func differentTargetsDoNotShareALoop() async throws {
        let resource = ScriptedResource(statuses: [.active])
        let waiter = ResourceWaiter<String>()
        let gone = WaitSubject(resourceType: "cluster", name: "demo", target: .deleted)
        async let ready = waiter.wait(for: subject, options: WaitOptions(timeout: .seconds(5)), policy: fast) { _ in try await resource.poll() }
        let deleted = Task {
            try await waiter.wait(for: gone, options: WaitOptions(timeout: .milliseconds(100)), policy: fast) { _ in try await resource.poll() }
        }
        #expect(try await ready == "cluster-active")
        await #expect(throws: CloudProviderError.self) { try await deleted.value }
        #expect(await waiter.currentStatistics.pollLoops == 2)
    }

    @Test func aWaitTimesOutWithTheLastStatusSeen() async throws {
        let resource = ScriptedResource(statuses: [.creating])
        let waiter = ResourceWaiter<String>()
        let error = await #expect(throws: CloudProviderError.self) {
            try await waiter.wait(for: subject, options: WaitOptions(timeout: .milliseconds(150)), policy: fast) { _ in
                try await resource.poll()
            }
        }
        guard case .timeout(let failure)? = error else {
            Issue.record("expected a timeout, got \(String(describing: error))")
            return
        }
        #expect(failure.lastStatus == .creating)
        #expect(failure.lastProviderStatus == "CREATING")
        #expect(failure.target == "active")
        #expect(failure.elapsedSeconds >= 0.15)
        #expect(error!.description.contains("continues in the cloud"))
        // The loop stops once no wait needs it.
        let pollsAfterTimeout = await resource.polls
        try await Task.sleep(for: .milliseconds(100))
        #expect(await resource.polls <= pollsAfterTimeout + 1)
    }

    @Test func cancellingOneWaitLeavesTheOthersWaiting() async throws {
        let resource = ScriptedResource(statuses: Array(repeating: .creating, count: 30) + [.active])
        let waiter = ResourceWaiter<String>()
        let events = EventLog()
        let cancelled = Task {
            try await waiter.wait(for: subject, options: WaitOptions(timeout: .seconds(30), onProgress: events.append), policy: fast) { _ in
                try await resource.poll()
            }
        }
        let survivor = Task {
            try await waiter.wait(for: subject, options: WaitOptions(timeout: .seconds(60)), policy: fast) { _ in
                try await resource.poll()
            }
        }
        while events.all.isEmpty { await Task.yield() }
        cancelled.cancel()
        let error = await #expect(throws: CloudProviderError.self) { try await cancelled.value }
        guard case .cancelled(let failure)? = error else {
            Issue.record("expected cancelled, got \(String(describing: error))")
            return
        }
        #expect(failure.lastStatus == .creating)
        #expect(error!.description.contains("not the operation"))
        #expect(try await survivor.value == "cluster-active")
    }

    @Test func aWaitCancelledBeforeItBeginsEndsAtOnce() async throws {
        let resource = ScriptedResource(statuses: [.creating])
        let waiter = ResourceWaiter<String>()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await waiter.wait(for: subject, options: WaitOptions(timeout: .seconds(60)), policy: fast) { _ in
                try await resource.poll()
            }
        }
        await #expect(throws: CloudProviderError.self) { try await task.value }
        #expect(await waiter.currentStatistics.activeWaits == 0)
    }

    @Test func aStateThatCannotReachTheTargetEndsTheWait() async throws {
        let failing = ScriptedResource(statuses: [.creating, .failed])
        let waiter = ResourceWaiter<String>()
        let error = await #expect(throws: CloudProviderError.self) {
            try await waiter.wait(for: subject, options: WaitOptions(timeout: .seconds(60)), policy: fast) { _ in try await failing.poll() }
        }
        guard case .providerError(let failure)? = error else {
            Issue.record("expected providerError, got \(String(describing: error))")
            return
        }
        #expect(failure.code == "ResourceFailed")

        let stopped = ScriptedResource(statuses: [.stopped])
        let instance = WaitSubject(resourceType: "instance", name: "i-1", target: .ready)
        let conflict = await #expect(throws: CloudProviderError.self) {
            try await waiter.wait(for: instance, options: WaitOptions(timeout: .seconds(60)), policy: fast) { _ in try await stopped.poll() }
        }
        guard case .conflict(_, _, let reason)? = conflict else {
            Issue.record("expected conflict, got \(String(describing: conflict))")
            return
        }
        #expect(reason.contains("will not become running"))
    }

    @Test func retryableErrorsAreRetriedAndOthersEndEveryWait() async throws {
        let flaky = ScriptedResource([.failure(.throttled(retryAfterSeconds: nil, reason: "slow down")),
                                      .failure(.providerError(ProviderFailure(httpStatus: 503, code: "Unavailable", message: "try again", retryable: true))),
                                      .success(.active)])
        let waiter = ResourceWaiter<String>()
        #expect(try await waiter.wait(for: subject, options: WaitOptions(timeout: .seconds(60)), policy: fast) { _ in
            try await flaky.poll()
        } == "cluster-active")
        #expect(await flaky.polls == 3)

        let denied = ScriptedResource([.failure(.permissionDenied(reason: "no eks:DescribeCluster"))])
        await #expect(throws: CloudProviderError.permissionDenied(reason: "no eks:DescribeCluster")) {
            try await waiter.wait(for: subject, options: WaitOptions(timeout: .seconds(60)), policy: fast) { _ in try await denied.poll() }
        }
    }

    @Test func progressReportsEachChangeOnceAndHeartbeatsWhileNothingChanges() async throws {
        let resource = ScriptedResource(statuses: [.creating, .creating, .updating, .updating, .updating, .active])
        let waiter = ResourceWaiter<String>(heartbeatInterval: .milliseconds(100))
        let slow = PollPolicy(initial: .milliseconds(500), maximum: .milliseconds(500), jitter: 0)
        let events = EventLog()
        _ = try await waiter.wait(for: subject, options: WaitOptions(timeout: .seconds(120), onProgress: events.append), policy: slow) { _ in
            try await resource.poll()
        }
        let changes = events.all.filter { $0.reason == .changed }
        #expect(changes.map(\.status) == [.creating, .updating, .active])
        #expect(changes.first?.phase == "creating control plane")
        let heartbeats = events.all.filter { $0.reason == .heartbeat }
        // Five 500 ms sleeps between polls with a 100 ms heartbeat: each sleep carries at least
        // one heartbeat (the loop wakes for it before the next poll, however busy the machine),
        // and no heartbeat comes sooner than 90 % of the interval after the event before it.
        #expect(heartbeats.count >= 5)
        let all = events.all
        #expect(all.map(\.elapsedSeconds) == all.map(\.elapsedSeconds).sorted())
        for (previous, event) in zip(all, all.dropFirst()) where event.reason == .heartbeat {
            #expect(event.elapsedSeconds - previous.elapsedSeconds >= 0.089)
        }
    }
}
