#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Ctrl-C during `cloud-agent call`: the first press cancels the request (the caller says how),
/// a second press exits at once; a request that then fails reports status 130.
final class CallInterruption: Sendable {
    /// Whether Ctrl-C was pressed; shared with the signal handler.
    private final class Pressed: Sendable {
        let value = Mutex(false)
    }

    private let pressed = Pressed()
    private let watcher: SignalWatcher

    init(onFirst cancel: @escaping @Sendable () -> Void) {
        let pressed = self.pressed
        watcher = SignalWatcher { _ in
            let second = pressed.value.withLock { state -> Bool in
                defer { state = true }
                return state
            }
            if second { exit(130) }
            cancel()
        }
    }

    /// The exit status for a finished call: 130 if Ctrl-C was pressed and the call failed.
    func exitStatus(for status: Int32) -> Int32 {
        pressed.value.withLock { $0 } && status != 0 ? 130 : status
    }
}
