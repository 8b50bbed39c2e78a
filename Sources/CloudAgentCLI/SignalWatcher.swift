#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Turns SIGINT/SIGTERM into a callback on a dispatch queue instead of killing the process,
/// and keeps SIGPIPE from killing it when a peer closes early.
final class SignalWatcher: Sendable {
    // Dispatch sources are thread-safe; they are only kept alive here, never mutated.
    private nonisolated(unsafe) let sources: [DispatchSourceSignal]

    init(signals: [Int32] = [SIGINT, SIGTERM], handler: @escaping @Sendable (Int32) -> Void) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }
}
