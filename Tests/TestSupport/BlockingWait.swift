import Diagnostics
import JSONRPC

/// Runs a blocking wait (a semaphore, `waitUntilExit`, a blocking read) on a thread of its own
/// and resumes the caller with its result.
///
/// Blocking work must stay off Swift's cooperative pool and Dispatch's global queues: on a
/// 2-core machine both have about two threads, and a few blocked waits there stall every other
/// test (and the timers that end their waits).
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DetachedThread.start { continuation.resume(returning: body()) }
    }
}
