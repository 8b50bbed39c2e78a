#if canImport(Glibc)
import Glibc
#endif
import CloudCore
import Diagnostics
import Foundation

/// The JSON file a `local` provider keeps its resources in.
///
/// Saved atomically with mode 0600. Several agent processes may share one file: every change
/// holds an exclusive `flock` on `PATH.lock` while it re-reads, changes and saves, and every
/// read re-reads the file if another process changed it. A file that cannot be understood is
/// moved aside (logged, never silently lost) and the provider starts empty.
struct LocalStateFile {
    let path: String
    private let logger: Logger
    /// Identity of the file as last read or written, to notice changes by other processes.
    private var signature: Signature?

    private struct Signature: Equatable {
        var inode: UInt
        var size: Int
        var modified: Int
        var modifiedNanoseconds: Int
    }

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// Re-reads the file into `state` if it changed since last read or written.
    mutating func refresh(_ state: inout LocalState) throws(CloudProviderError) {
        let current = Self.signature(of: path)
        if current != nil, current == signature { return }
        if current == nil {
            if signature != nil { state = LocalState() }
            signature = nil
            return
        }
        let bytes: [UInt8]?
        do {
            bytes = try AtomicFile.read(path)
        } catch {
            throw Self.failure(error.description)
        }
        signature = current
        guard let bytes else {
            state = LocalState()
            return
        }
        do {
            let decoded = try JSONDecoder().decode(LocalState.self, from: Data(bytes))
            guard decoded.formatVersion == LocalState.formatVersion else {
                throw FormatMismatch(found: decoded.formatVersion)
            }
            state = decoded
        } catch {
            moveAside(reason: error is FormatMismatch ? "\(error)" : "it is not valid JSON of the expected shape")
            state = LocalState()
        }
    }

    /// Saves `state` atomically (0600).
    mutating func save(_ state: LocalState) throws(CloudProviderError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(state)
        } catch {
            throw Self.failure("cannot encode the state: \(error)")
        }
        do {
            try AtomicFile.write(Array(data), to: path)
        } catch {
            throw Self.failure(error.description)
        }
        signature = Self.signature(of: path)
    }

    /// Runs `body` holding the exclusive lock that serializes changes across processes.
    func withLock<T>(_ body: () throws(CloudProviderError) -> T) throws(CloudProviderError) -> T {
        do {
            return try FileLock.withExclusiveLock(on: path, body)
        } catch let error as CloudProviderError {
            throw error
        } catch {
            throw Self.failure("\(error)")
        }
    }

    private struct FormatMismatch: Error, CustomStringConvertible {
        let found: Int
        var description: String { "it has format version \(found), this agent reads \(LocalState.formatVersion)" }
    }

    private mutating func moveAside(reason: String) {
        let stamp = Date().formatted(.iso8601).replacingOccurrences(of: ":", with: "")
        let aside = "\(path).corrupt-\(stamp)"
        if rename(path, aside) == 0 {
            logger.error("local state file \(path) cannot be read (\(reason)); moved it to \(aside) and started with no resources")
        } else {
            logger.error("local state file \(path) cannot be read (\(reason)) nor moved aside (\(String(cString: strerror(errno)))); starting with no resources, and the next change will replace it")
        }
        signature = nil
    }

    private static func signature(of path: String) -> Signature? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Signature(inode: UInt(info.st_ino), size: Int(info.st_size), modified: info.st_mtim.tv_sec,
                         modifiedNanoseconds: info.st_mtim.tv_nsec)
    }

    private static func failure(_ message: String) -> CloudProviderError {
        .providerError(ProviderFailure(code: "LocalStateError", message: message))
    }
}
