/// Waits for resources of one type to reach a target state, polling the cloud.
///
/// Every provider waits through this type. Concurrent waits on the same resource and target
/// share one poll loop: a thousand callers waiting on one cluster cost one poll per interval.
/// Each wait keeps its own timeout, cancellation and progress: an event on every status or
/// phase change and a heartbeat when nothing has changed for `heartbeatInterval`.
///
/// - Important: Cancelling a wait (or its timing out) ends that wait only; the poll loop stops
///   when no wait needs it. Nothing here ever cancels the cloud operation being waited on.
public actor ResourceWaiter<Resource: Encodable & Sendable> {
    /// The longest a wait goes without a progress event.
    public let heartbeatInterval: Duration
    private let clock = ContinuousClock()
    private var loops: [String: Loop] = [:]
    private var nextID: UInt64 = 0
    private var statistics = WaitStatistics()

    public init(heartbeatInterval: Duration = .seconds(10)) {
        self.heartbeatInterval = heartbeatInterval
    }

    /// The counters so far.
    public var currentStatistics: WaitStatistics { statistics }

    /// Waits until the resource reaches `subject.target`, polling with `poll`.
    ///
    /// - Parameters:
    ///   - poll: fetches the resource; given the last resource seen (nil before the first), so
    ///     a poll that finds the resource gone can report it `deleted`. Retryable
    ///     `CloudProviderError`s (throttling, transient cloud errors) are retried with backoff;
    ///     any other error ends every wait sharing the loop.
    /// - Returns: the resource as it was when it reached the target.
    /// - Throws: `CloudProviderError.timeout` or `.cancelled` (with the last status seen),
    ///   `.conflict` or `.providerError` when the resource can no longer reach the target, or
    ///   the poll's error.
    public func wait(
        for subject: WaitSubject,
        options: WaitOptions,
        policy: PollPolicy,
        poll: @escaping @Sendable (Resource?) async throws -> WaitObservation<Resource>
    ) async throws -> Resource {
        nextID += 1
        let id = nextID
        let key = subject.key
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Resource, any Error>) in
                self.subscribe(id: id, key: key, subject: subject, options: options, policy: policy,
                               poll: poll, continuation: continuation)
            }
        } onCancel: {
            Task { await self.end(id: id, key: key, because: .cancelled) }
        }
    }

    // MARK: - Subscribers

    private final class Subscriber {
        let continuation: CheckedContinuation<Resource, any Error>
        let onProgress: @Sendable (WaitProgress) -> Void
        let started: ContinuousClock.Instant
        var lastEventAt: ContinuousClock.Instant
        var lastReported: (status: ResourceStatus, phase: String)?
        var deadlineTask: Task<Void, Never>?

        init(continuation: CheckedContinuation<Resource, any Error>, onProgress: @escaping @Sendable (WaitProgress) -> Void,
             now: ContinuousClock.Instant) {
            self.continuation = continuation
            self.onProgress = onProgress
            self.started = now
            self.lastEventAt = now
        }
    }

    private final class Loop {
        let generation: UInt64
        let subject: WaitSubject
        let policy: PollPolicy
        let poll: @Sendable (Resource?) async throws -> WaitObservation<Resource>
        var subscribers: [UInt64: Subscriber] = [:]
        var latest: WaitObservation<Resource>? {
            didSet { latestSnapshot = latest.map { ResourceSnapshot($0.resource) } }
        }
        /// The latest resource, shared by every event sent about it.
        private(set) var latestSnapshot: ResourceSnapshot?
        var task: Task<Void, Never>?

        init(generation: UInt64, subject: WaitSubject, policy: PollPolicy,
             poll: @escaping @Sendable (Resource?) async throws -> WaitObservation<Resource>) {
            self.generation = generation
            self.subject = subject
            self.policy = policy
            self.poll = poll
        }
    }

    private enum Ending { case cancelled, timedOut }

    private func subscribe(id: UInt64, key: String, subject: WaitSubject, options: WaitOptions, policy: PollPolicy,
                           poll: @escaping @Sendable (Resource?) async throws -> WaitObservation<Resource>,
                           continuation: CheckedContinuation<Resource, any Error>) {
        let now = clock.now
        let subscriber = Subscriber(continuation: continuation, onProgress: options.onProgress, now: now)
        if Task.isCancelled {
            continuation.resume(throwing: CloudProviderError.cancelled(failure(subject, latest: nil, subscriber: subscriber)))
            return
        }
        statistics.waits += 1
        statistics.activeWaits += 1
        let loop: Loop
        if let existing = loops[key] {
            loop = existing
        } else {
            loop = Loop(generation: id, subject: subject, policy: policy, poll: poll)
            loops[key] = loop
            statistics.pollLoops += 1
            loop.task = Task { await self.run(key: key, generation: id) }
        }
        loop.subscribers[id] = subscriber
        if let latest = loop.latest, let snapshot = loop.latestSnapshot {
            report(latest, snapshot, to: subscriber, subject: subject, reason: .changed, now: now)
        }
        // No need to wake the loop for this wait's heartbeats: it never sleeps past the first
        // heartbeat due, and every wait it already serves has one due within the interval.
        let deadline = now + options.timeout
        subscriber.deadlineTask = Task {
            do {
                try await Task.sleep(until: deadline, clock: .continuous)
            } catch {
                return
            }
            self.end(id: id, key: key, because: .timedOut)
        }
    }

    /// Ends one wait early: its timeout passed or its caller cancelled it.
    private func end(id: UInt64, key: String, because ending: Ending) {
        guard let loop = loops[key], let subscriber = loop.subscribers.removeValue(forKey: id) else { return }
        statistics.activeWaits -= 1
        subscriber.deadlineTask?.cancel()
        let failure = failure(loop.subject, latest: loop.latest, subscriber: subscriber)
        switch ending {
        case .cancelled: subscriber.continuation.resume(throwing: CloudProviderError.cancelled(failure))
        case .timedOut: subscriber.continuation.resume(throwing: CloudProviderError.timeout(failure))
        }
        if loop.subscribers.isEmpty { stop(key: key, loop: loop) }
    }

    /// Ends every wait of a loop with the same outcome.
    private func finish(key: String, loop: Loop, with result: Result<Resource, any Error>) {
        for subscriber in loop.subscribers.values {
            subscriber.deadlineTask?.cancel()
            subscriber.continuation.resume(with: result)
        }
        statistics.activeWaits -= loop.subscribers.count
        loop.subscribers.removeAll()
        stop(key: key, loop: loop)
    }

    private func stop(key: String, loop: Loop) {
        if loops[key] === loop { loops[key] = nil }
        loop.task?.cancel()
    }

    private func failure(_ subject: WaitSubject, latest: WaitObservation<Resource>?, subscriber: Subscriber) -> WaitFailure {
        WaitFailure(resourceType: subject.resourceType, name: subject.name,
                    target: subject.target.statusWord(resourceType: subject.resourceType),
                    lastStatus: latest?.status, lastProviderStatus: latest?.providerStatus,
                    elapsedSeconds: (clock.now - subscriber.started).seconds)
    }

    // MARK: - The poll loop

    private func current(_ key: String, _ generation: UInt64) -> Loop? {
        guard let loop = loops[key], loop.generation == generation, !loop.subscribers.isEmpty else { return nil }
        return loop
    }

    private func run(key: String, generation: UInt64) async {
        var attempt = 0
        while let loop = current(key, generation) {
            statistics.polls += 1
            let outcome: Result<WaitObservation<Resource>, any Error>
            do {
                outcome = .success(try await loop.poll(loop.latest?.resource))
            } catch {
                outcome = .failure(error)
            }
            guard current(key, generation) === loop, !Task.isCancelled else { return }
            var delay = loop.policy.delay(attempt: attempt)
            attempt += 1
            switch outcome {
            case .success(let observation):
                loop.latest = observation
                switch loop.subject.target.verdict(for: observation.status) {
                case .reached:
                    let now = clock.now
                    for subscriber in loop.subscribers.values {
                        report(observation, loop.latestSnapshot!, to: subscriber, subject: loop.subject, reason: .changed, now: now)
                    }
                    finish(key: key, loop: loop, with: .success(observation.resource))
                    return
                case .unreachable:
                    finish(key: key, loop: loop, with: .failure(unreachable(loop.subject, observation)))
                    return
                case .pending:
                    let now = clock.now
                    for subscriber in loop.subscribers.values {
                        report(observation, loop.latestSnapshot!, to: subscriber, subject: loop.subject, reason: .changed, now: now)
                    }
                }
            case .failure(let error as CloudProviderError) where error.isRetryable:
                if case .throttled(let after?, _) = error { delay = max(delay, .nanoseconds(Int64(after * 1e9))) }
            case .failure(let error):
                finish(key: key, loop: loop, with: .failure(error))
                return
            }
            let nextPoll = clock.now + delay
            while let loop = current(key, generation) {
                let now = clock.now
                sendHeartbeats(loop, now: now)
                if now >= nextPoll { break }
                let earliestHeartbeat = loop.subscribers.values.map { $0.lastEventAt + heartbeatInterval }.min() ?? nextPoll
                do {
                    try await Task.sleep(until: min(nextPoll, earliestHeartbeat), clock: .continuous)
                } catch {
                    return  // Cancelled: no wait needs this loop any more.
                }
            }
        }
    }

    /// Sends heartbeats that are due, and those due within the next tenth of the interval with
    /// them, so waits that began at slightly different times share wake-ups.
    private func sendHeartbeats(_ loop: Loop, now: ContinuousClock.Instant) {
        guard let latest = loop.latest, let snapshot = loop.latestSnapshot else { return }
        let threshold = heartbeatInterval * 0.9
        for subscriber in loop.subscribers.values where now - subscriber.lastEventAt >= threshold {
            report(latest, snapshot, to: subscriber, subject: loop.subject, reason: .heartbeat, now: now)
        }
    }

    /// Sends `observation` to one wait: always as a heartbeat, as a change only if it is one.
    private func report(_ observation: WaitObservation<Resource>, _ snapshot: ResourceSnapshot, to subscriber: Subscriber, subject: WaitSubject,
                        reason: WaitProgress.Reason, now: ContinuousClock.Instant) {
        let changed = subscriber.lastReported.map { $0.status != observation.status || $0.phase != observation.phase } ?? true
        guard reason == .heartbeat || changed else { return }
        subscriber.lastReported = (observation.status, observation.phase)
        subscriber.lastEventAt = now
        subscriber.onProgress(WaitProgress(
            reason: changed ? .changed : .heartbeat, subject: subject, status: observation.status,
            providerStatus: observation.providerStatus, phase: observation.phase,
            elapsedSeconds: (now - subscriber.started).seconds, snapshot: snapshot))
    }

    private func unreachable(_ subject: WaitSubject, _ observation: WaitObservation<Resource>) -> CloudProviderError {
        let target = subject.target.statusWord(resourceType: subject.resourceType)
        if observation.status == .failed {
            return .providerError(ProviderFailure(
                code: "ResourceFailed",
                message: "\(subject.resourceType) '\(subject.name)' failed (\(observation.providerStatus))"
                    + (observation.statusMessage.map { ": \($0)" } ?? "") + " and will not become \(target)"))
        }
        return .conflict(resourceType: subject.resourceType, name: subject.name,
                         reason: "is \(observation.status.rawValue) (\(observation.providerStatus)) and will not become \(target) by itself")
    }
}
