import Dispatch
import Synchronization

/// Runs `body` as a task and blocks this (non-pool) thread until it finishes: the bridge from
/// the synchronous command-line commands to the async agent.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
    let outcome = Mutex<T?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let value = await body()
        outcome.withLock { $0 = value }
        done.signal()
    }
    done.wait()
    return outcome.withLock { $0! }
}
