#if canImport(Glibc)
import Glibc
#endif

/// Writes files that may hold credentials: mode 0600, atomically (a reader sees the old
/// content or the new, never a mix), durable once `write` returns.
public enum AtomicFile {
    /// Why a file could not be written or read.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let path: String
        public let operation: String
        public let errorNumber: Int32
        public var description: String { "cannot \(operation) \(path): \(String(cString: strerror(errorNumber)))" }
    }

    /// Replaces `path` with `bytes`: writes a temporary file (0600) beside it, syncs it,
    /// renames it over `path` and syncs the directory. Creates missing directories with 0700.
    public static func write(_ bytes: [UInt8], to path: String) throws(Failure) {
        let directory = parentDirectory(of: path)
        try createDirectories(directory)
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(path: temporary, operation: "create", errorNumber: errno) }
        var ok = fchmod(fd, 0o600) == 0
        var failedErrno = ok ? 0 : errno
        if ok {
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    ok = false
                    failedErrno = errno
                    break
                }
                offset += written
            }
        }
        if ok, fsync(fd) != 0 {
            ok = false
            failedErrno = errno
        }
        close(fd)
        guard ok else {
            unlink(temporary)
            throw Failure(path: path, operation: "write", errorNumber: failedErrno)
        }
        guard rename(temporary, path) == 0 else {
            let renameErrno = errno
            unlink(temporary)
            throw Failure(path: path, operation: "replace", errorNumber: renameErrno)
        }
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// The whole file, or nil if it does not exist.
    public static func read(_ path: String) throws(Failure) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw Failure(path: path, operation: "open", errorNumber: errno)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, operation: "read", errorNumber: errno)
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: buffer[0..<count])
        }
    }

    /// Creates `path` and its missing parents with mode 0700.
    public static func createDirectories(_ path: String) throws(Failure) {
        guard !path.isEmpty, path != "/" else { return }
        var info = stat()
        if stat(path, &info) == 0 { return }
        try createDirectories(parentDirectory(of: path))
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw Failure(path: path, operation: "create directory", errorNumber: errno)
        }
    }

    public static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }
}
