import Dispatch
import Synchronization
import TestSupport
@testable import JSONRPC

/// Collects progress events from any thread and lets a test wait until enough arrived.
final class EventLog: Sendable {
    private let events = Mutex<[ProgressReporter.Event]>([])
    private let arrivals = DispatchSemaphore(value: 0)

    func append(_ event: ProgressReporter.Event) {
        events.withLock { $0.append(event) }
        arrivals.signal()
    }

    var all: [ProgressReporter.Event] { events.withLock { $0 } }

    /// Waits (off the cooperative pool) until at least `count` events arrived, up to 10 s.
    func waitForCount(_ count: Int) async throws {
        let arrivals = self.arrivals
        let ok = await onOwnThread {
            for _ in 0..<count where arrivals.wait(timeout: .now() + 10) == .timedOut { return false }
            return true
        }
        if !ok { throw CancellationError() }
    }
}
