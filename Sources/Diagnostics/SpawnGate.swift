import Synchronization

/// The one lock under which the process creates pipes and spawns children.
///
/// A pipe is created, then marked close-on-exec: a child spawned in between by another thread
/// would inherit its write end and keep it open, so a reader waiting for end of file would
/// wait for that unrelated child instead. Every spawner in the agent and its tests takes this
/// gate for both steps.
public enum SpawnGate {
    private static let lock = Mutex(())

    public static func run<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try lock.withLock { _ throws(E) -> T in try body() }
    }
}
