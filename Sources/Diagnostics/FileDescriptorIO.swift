#if canImport(Glibc)
import Glibc
#endif

/// Blocking whole-buffer writes to a file descriptor, shared by every writer: log lines,
/// protocol lines, command output. It lives in the lowest module so all of them can use it.
public enum FileDescriptorIO {
    /// Writes all of `bytes`, retrying short writes and `EINTR`; false on any other failure
    /// (`errno` tells which).
    @discardableResult
    public static func writeAll(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return false
            }
            offset += written
        }
        return true
    }

    /// Writes all of `bytes`; false on failure.
    @discardableResult
    public static func writeAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        bytes.withUnsafeBytes { writeAll($0, to: fd) }
    }
}
