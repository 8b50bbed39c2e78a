#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `PATH.lock` that serializes read-change-write cycles on a state
/// file across agent processes.
public enum FileLock {
    /// Runs `body` holding the lock of `path` (created 0600, with missing directories).
    public static func withExclusiveLock<T, E: Error>(on path: String, _ body: () throws(E) -> T) throws -> T {
        try AtomicFile.createDirectories(AtomicFile.parentDirectory(of: path))
        let lockPath = path + ".lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AtomicFile.Failure(path: lockPath, operation: "open", errorNumber: errno) }
        defer { close(fd) }
        // Other holders only read and write a small file, so the wait is short.
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw AtomicFile.Failure(path: lockPath, operation: "lock", errorNumber: errno) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
