#if canImport(Glibc)
import Glibc
#endif
import Diagnostics
import Foundation
import JSONRPC
import Synchronization

/// A test's end of a line-delimited JSON-RPC conversation over file descriptors: writes raw
/// bytes or JSON, and reads lines (as bytes or parsed) with timeouts.
///
/// Messages that a `response(id:)` or `notification(…)` wait skips over are kept, so tests can
/// wait for specific messages in any order.
/// - Important: the connection owns its descriptors. A descriptor is closed only once nothing
///   can use it any more (the reader thread keeps the object alive until it has stopped), so a
///   closed number reused by another test's socket or pipe is never read or written by mistake.
public final class LineConnection: Sendable {
    public let inbox = LineInbox()
    private let writeFD: Int32
    private let readFD: Int32
    private let held = Mutex<[JSONValue]>([])
    private let writeClosed = Mutex(false)
    /// The methods of the requests sent, by id (only while a `ProtocolRecorder` records).
    private let sentMethods = Mutex<[JSONValue: String]>([:])
    public static let defaultTimeout = 20.0

    private var isSocket: Bool { readFD == writeFD }

    /// Starts reading `readFD` on a thread; `writeFD` may be the same descriptor (a socket).
    /// Both descriptors now belong to the connection.
    /// - Parameter reading: false to never read (a peer that stalls); lines then pile up unread.
    public init(readFD: Int32, writeFD: Int32, reading: Bool = true) {
        // A peer that closes early must fail our writes, not kill the test process.
        signal(SIGPIPE, SIG_IGN)
        self.readFD = readFD
        self.writeFD = writeFD
        guard reading else { return }
        DetachedThread.start { [self] in
            var framer = LineFramer(maxLineBytes: 1 << 30)
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                if count <= 0 { break }
                let frames = buffer.withUnsafeBytes { framer.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                for case .line(let line) in frames {
                    if let recorder = ProtocolRecorder.shared {
                        recorder.record(line: line) { id in self.sentMethods.withLock { $0[id] } }
                    }
                    inbox.deliver(line)
                }
            }
            inbox.close()
        }
    }

    deinit {
        if isSocket {
            Glibc.close(readFD)
        } else {
            Glibc.close(readFD)
            closeWrite()
        }
    }

    /// Connects to a Unix socket at `path`.
    public static func connect(socketPath: String, reading: Bool = true) throws -> LineConnection {
        let fd = try UnixSocket.connect(path: socketPath)
        return LineConnection(readFD: fd, writeFD: fd, reading: reading)
    }

    /// Writes raw bytes exactly as given; false if the peer is gone.
    @discardableResult
    public func sendRaw(_ bytes: [UInt8]) -> Bool {
        noteRequests(bytes)
        return FileDescriptorIO.writeAll(bytes, to: writeFD)
    }

    /// Remembers the methods of the requests in `bytes`, for the protocol recorder.
    private func noteRequests(_ bytes: [UInt8]) {
        guard ProtocolRecorder.shared != nil else { return }
        let requests = ProtocolRecorder.requests(in: bytes)
        if !requests.isEmpty { sentMethods.withLock { for (id, method) in requests { $0[id] = method } } }
    }

    /// Writes many bytes exactly as given, from a thread of its own: a write larger than the
    /// pipe's buffer waits for the peer to read, and must not hold one of the few threads of
    /// the cooperative pool meanwhile. False if the peer is gone.
    @discardableResult
    public func sendBulk(_ bytes: [UInt8]) async -> Bool {
        let fd = writeFD
        noteRequests(bytes)
        return await onOwnThread { FileDescriptorIO.writeAll(bytes, to: fd) }
    }

    /// Writes `text` followed by a newline.
    @discardableResult
    public func send(_ text: String) -> Bool { sendRaw(Array((text + "\n").utf8)) }

    /// Writes a request line.
    @discardableResult
    public func request(_ id: Int, _ method: String, _ params: JSONValue? = nil) -> Bool {
        var message: [String: JSONValue] = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        if let params { message["params"] = params }
        return send(JSONSerializer.string(.object(message)))
    }

    /// Writes a notification line.
    @discardableResult
    public func notify(_ method: String, _ params: JSONValue? = nil) -> Bool {
        var message: [String: JSONValue] = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = params }
        return send(JSONSerializer.string(.object(message)))
    }

    /// The next line, parsed (held messages first).
    public func next(timeout: Double = defaultTimeout) async throws -> JSONValue {
        if let first = held.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return first }
        return try JSONParser.parse(try await inbox.next(timeout: timeout))
    }

    /// Waits for the first message matching `predicate`, holding the others for later.
    public func first(timeout: Double = defaultTimeout, where predicate: (JSONValue) -> Bool) async throws -> JSONValue {
        if let match = held.withLock({ held -> JSONValue? in
            guard let index = held.firstIndex(where: predicate) else { return nil }
            return held.remove(at: index)
        }) {
            return match
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { throw LineInbox.Failure.timedOut(seconds: timeout) }
            let message = try JSONParser.parse(try await inbox.next(timeout: remaining))
            if predicate(message) { return message }
            held.withLock { $0.append(message) }
        }
    }

    /// Waits for the response to `id`.
    public func response(_ id: JSONValue, timeout: Double = defaultTimeout) async throws -> JSONValue {
        try await first(timeout: timeout) { $0["id"] == id && $0["method"] == nil }
    }

    /// Waits for the response to integer `id`.
    public func response(_ id: Int, timeout: Double = defaultTimeout) async throws -> JSONValue {
        try await response(.int(id), timeout: timeout)
    }

    /// Sends a `ping` and waits for its answer; used to prove the peer still serves.
    public func ping(id: Int, timeout: Double = defaultTimeout) async throws -> JSONValue {
        request(id, "ping")
        return try await response(id, timeout: timeout)
    }

    /// Messages received but not yet consumed by a wait.
    public var heldMessages: [JSONValue] { held.withLock { $0 } }

    /// Closes the write side (the peer sees EOF); for sockets, a half-close.
    public func closeWrite() {
        if isSocket {
            shutdown(writeFD, Int32(SHUT_WR))
            return
        }
        let first = writeClosed.withLock { closed -> Bool in
            defer { closed = true }
            return !closed
        }
        if first { Glibc.close(writeFD) }
    }

    /// Hangs up: the peer sees the connection end, and reads here end too. The descriptors
    /// themselves are closed when nothing can use them any more (`deinit`).
    public func close() {
        if isSocket {
            shutdown(readFD, Int32(SHUT_RDWR))
        } else {
            closeWrite()
        }
    }
}
