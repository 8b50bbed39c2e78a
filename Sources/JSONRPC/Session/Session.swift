#if canImport(Glibc)
import Glibc
#endif
import Diagnostics
import Dispatch
import Foundation
import Synchronization

/// One peer's JSON-RPC conversation over a pair of file descriptors (stdin/stdout, or one
/// accepted socket): reads lines, runs requests concurrently, writes responses and progress.
///
/// The session also implements the protocol-level methods every server shares:
/// `$/cancelRequest`, `shutdown` and `exit`.
/// - Important: lines are read and classified on the session's reader thread, in order, so a
///   `$/cancelRequest` always finds a request that arrived before it. Handlers run as tasks.
public final class Session: Sendable {
    /// Request methods the session answers itself.
    public static let builtInRequests = ["shutdown"]
    /// Notifications the session handles itself.
    public static let builtInNotifications = ["$/cancelRequest", "exit"]

    private struct State {
        var nextSerial: UInt64 = 0
        var tasks: [UInt64: Task<Void, Never>] = [:]
        var serialsByID: [RequestID: UInt64] = [:]
        var shutdownRequested = false
        var ended = false
        var idleWaiter: DispatchSemaphore?
    }

    public let number: Int
    private let input: Int32
    private let output: Int32
    private let ownsDescriptors: Bool
    private let methods: MethodTable
    private let options: SessionOptions
    private let logger: Logger
    private let state = Mutex(State())
    /// What the session learned of its peer (MCP or not).
    private let traits = SessionTraits()
    private let slots: DispatchSemaphore
    private let readerDone = DispatchSemaphore(value: 0)
    private let onEnd: @Sendable (SessionEnd) -> Void
    // Set once in init, right after `self` exists; never mutated afterwards.
    private let writerBox = Mutex<LineWriter?>(nil)

    /// - Parameters:
    ///   - input: descriptor to read requests from.
    ///   - output: descriptor to write responses to (may equal `input` for a socket).
    ///   - ownsDescriptors: close them when the session ends (sockets), or leave them (stdio).
    ///   - onEnd: called once, after output is flushed, with the reason.
    public init(number: Int, input: Int32, output: Int32, ownsDescriptors: Bool, methods: MethodTable,
                options: SessionOptions, logger: Logger, onEnd: @escaping @Sendable (SessionEnd) -> Void) {
        self.number = number
        self.input = input
        self.output = output
        self.ownsDescriptors = ownsDescriptors
        self.methods = methods
        self.options = options
        self.logger = logger
        self.slots = DispatchSemaphore(value: max(1, options.maxConcurrentRequests))
        self.onEnd = onEnd
        let writer = LineWriter(
            fileDescriptor: output,
            highWater: 4 << 20,
            hardLimit: max(256 << 20, 4 * options.maxMessageBytes)
        ) { [weak self] reason in
            self?.end(.peerGone(reason))
        }
        writerBox.withLock { $0 = writer }
    }

    private var writer: LineWriter { writerBox.withLock { $0! } }

    /// Starts reading on a thread of the session's own.
    public func start() {
        // The parser recurses up to its depth limit: give the reader a generous stack.
        DetachedThread.start(stackSize: 8 << 20) { [self] in
            readLoop()
            readerDone.signal()
        }
    }

    /// Ends the session: stops reading, cancels in-flight requests, waits for their answers,
    /// flushes output, then calls `onEnd`. Safe to call more than once and from any thread.
    public func end(_ reason: SessionEnd) {
        let first = state.withLock { state -> Bool in
            let first = !state.ended
            state.ended = true
            return first
        }
        guard first else { return }
        // Finishing blocks (draining, flushing, joining the reader): give it a thread of its own,
        // off the Dispatch and Swift concurrency pools that the handlers it waits for need.
        DetachedThread.start { [self] in finish(reason) }
    }

    private var isEnded: Bool { state.withLock { $0.ended } }

    private func finish(_ reason: SessionEnd) {
        logger.debug("ending: \(reason)")
        if ownsDescriptors { _ = Glibc.shutdown(input, Int32(SHUT_RD)) }
        let (cancelled, drained) = cancelAllAndWait(timeout: options.drainTimeoutSeconds)
        if cancelled > 0 { logger.info("cancelled \(cancelled) in-flight request(s)") }
        if !drained { logger.warning("in-flight requests did not finish within \(options.drainTimeoutSeconds) s of cancellation") }
        writer.finish()
        if ownsDescriptors {
            readerDone.wait()
            _ = Glibc.close(input)
            if output != input { _ = Glibc.close(output) }
        }
        onEnd(reason)
    }

    /// Cancels every in-flight request and waits until all have answered (or the timeout passes).
    private func cancelAllAndWait(timeout: Double) -> (cancelled: Int, drained: Bool) {
        let (tasks, waiter) = state.withLock { state -> ([Task<Void, Never>], DispatchSemaphore?) in
            if state.tasks.isEmpty { return ([], nil) }
            let waiter = DispatchSemaphore(value: 0)
            state.idleWaiter = waiter
            return (Array(state.tasks.values), waiter)
        }
        for task in tasks { task.cancel() }
        guard let waiter else { return (0, true) }
        return (tasks.count, waiter.wait(timeout: .now() + timeout) == .success)
    }

    // MARK: Reading

    private func readLoop() {
        var framer = LineFramer(maxLineBytes: options.maxMessageBytes)
        let chunkSize = 64 << 10
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 1)
        defer { buffer.deallocate() }
        while !isEnded {
            writer.waitForSpace()
            let count = Glibc.read(input, buffer.baseAddress, chunkSize)
            if count < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                end(.peerGone("read failed: \(reason)"))
                return
            }
            if count == 0 {
                if !isEnded, let last = framer.finish() { handle(last) }
                end(.endOfInput)
                return
            }
            for frame in framer.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) {
                if isEnded { return }
                handle(frame)
            }
        }
    }

    /// Classifies and acts on one framed line (reader thread only).
    func handle(_ frame: LineFramer.Frame) {
        switch frame {
        case .oversized(let size):
            logger.warning("skipped a \(size)-byte message over the \(options.maxMessageBytes)-byte limit")
            let error = RPCError.invalidRequest(
                "message of \(size) bytes exceeds the limit of \(options.maxMessageBytes) bytes (--max-message-bytes)",
                data: ["reason": "messageTooLarge", "limit": .int(options.maxMessageBytes), "size": .int(size)])
            writer.send(.error(id: nil, error: error))
        case .line(let bytes):
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                logger.debug("parse error: \(error)")
                writer.send(.error(id: nil, error: .parseError(error)))
                return
            }
            if case .array(let members) = value {
                handleBatch(members)
            } else {
                handleMessage(IncomingMessage(value)) { [writer] in writer.send($0) }
            }
        }
    }

    private func handleBatch(_ members: [JSONValue]) {
        guard !members.isEmpty else {
            writer.send(.error(id: nil, error: .invalidRequest("empty batch")))
            return
        }
        let messages = members.map(IncomingMessage.init)
        let expected = messages.count { message in
            if case .notification = message { return false }
            return true
        }
        guard expected > 0 else {
            for message in messages { handleMessage(message) { _ in } }
            return
        }
        let collector = BatchCollector(expected: expected) { [writer] responses in
            var line: [UInt8] = [UInt8(ascii: "[")]
            for (position, response) in responses.enumerated() {
                if position > 0 { line.append(UInt8(ascii: ",")) }
                response.append(to: &line)
            }
            line.append(UInt8(ascii: "]"))
            writer.sendLine(line)
        }
        for message in messages {
            handleMessage(message) { collector.add($0) }
        }
    }

    private func handleMessage(_ message: IncomingMessage, reply: @escaping @Sendable (OutgoingMessage) -> Void) {
        switch message {
        case .invalid(let id, let error):
            reply(.error(id: id, error: error))
        case .notification(let method, let params):
            handleNotification(method, params)
        case .request(let id, let method, let params):
            handleRequest(id: id, method: method, params: params, reply: reply)
        }
    }

    private func handleNotification(_ method: String, _ params: JSONValue?) {
        switch method {
        case "$/cancelRequest", "notifications/cancelled":
            // MCP names the request `requestId`.
            guard let rawID = params?["id"] ?? params?["requestId"], let id = RequestID(rawID) else {
                logger.debug("ignored \(method) without a valid id")
                return
            }
            cancel(id)
        case "exit":
            let afterShutdown = state.withLock { $0.shutdownRequested }
            end(.exitNotification(afterShutdown: afterShutdown))
        default:
            guard methods.contains(method), !state.withLock({ $0.shutdownRequested }) else {
                logger.debug("ignored notification '\(method)'")
                return
            }
            // A known method sent as a notification runs, but its outcome is not sent.
            startTask(id: nil, isNotification: true, method: method, params: params) { _ in }
        }
    }

    private func handleRequest(id: RequestID?, method: String, params: JSONValue?,
                               reply: @escaping @Sendable (OutgoingMessage) -> Void) {
        switch method {
        case "shutdown":
            state.withLock { $0.shutdownRequested = true }
            logger.info("shutdown requested")
            reply(.result(id: id, result: .null))
            return
        case "exit":
            let afterShutdown = state.withLock { $0.shutdownRequested }
            reply(.result(id: id, result: .null))
            end(.exitNotification(afterShutdown: afterShutdown))
            return
        case "$/cancelRequest":
            if let rawID = params?["id"], let target = RequestID(rawID) { cancel(target) }
            reply(.result(id: id, result: .null))
            return
        default:
            break
        }
        // Names starting with `rpc.` are reserved for protocol extensions such as `rpc.discover`;
        // only those the table registers are answered.
        if !methods.contains(method) {
            reply(.error(id: id, error: .methodNotFound(method)))
            return
        }
        if state.withLock({ $0.shutdownRequested }) {
            reply(.error(id: id, error: .shuttingDown))
            return
        }
        startTask(id: id, isNotification: false, method: method, params: params, reply: reply)
    }

    private func startTask(id: RequestID?, isNotification: Bool, method: String, params: JSONValue?,
                           reply: @escaping @Sendable (OutgoingMessage) -> Void) {
        slots.wait()
        let writer = self.writer
        // Notifications have no one waiting on them, so they report no progress.
        let mcp = traits.speaksMCP
        let token = isNotification ? nil : mcp ? ProgressReporter.mcpToken(params: params) : ProgressReporter.token(params: params, id: id)
        let progress: ProgressReporter
        if token == nil {
            progress = .disabled
        } else if mcp {
            let sequence = Mutex(0)
            progress = ProgressReporter(token: token) { token, event in
                let number = sequence.withLock { count -> Int in
                    count += 1
                    return count
                }
                writer.send(.notification(method: "notifications/progress", params: event.mcpParams(token: token, sequence: number)))
            }
        } else {
            progress = ProgressReporter(token: token) { token, event in
                writer.send(.notification(method: "$/progress", params: ["token": token, "value": event.jsonValue]))
            }
        }
        let context = RequestContext(id: id, method: method, progress: progress, logger: logger, traits: traits)
        enum Admission { case started, duplicate, sessionEnded }
        let admission = state.withLock { state -> Admission in
            // Work admitted after the end began would escape the cancellation sweep.
            if state.ended { return .sessionEnded }
            if let id, state.serialsByID[id] != nil { return .duplicate }
            let serial = state.nextSerial
            state.nextSerial += 1
            let methods = self.methods
            state.tasks[serial] = Task { [self] in
                let response = await methods.respond(id: id, method: method, params: params, context: context)
                // Free the id before answering, so the peer may reuse it as soon as it reads the
                // response; count the request as finished only after the answer is queued, so
                // draining at session end never flushes before it.
                releaseID(id, serial: serial)
                reply(response)
                requestFinished(serial: serial)
            }
            if let id { state.serialsByID[id] = serial }
            return .started
        }
        switch admission {
        case .started:
            break
        case .duplicate:
            slots.signal()
            reply(.error(id: id, error: .invalidRequest(
                "id \(id!) is already in use by a request in flight", data: ["reason": "duplicateId"])))
        case .sessionEnded:
            slots.signal()
            reply(.error(id: id, error: .requestCancelled))
        }
    }

    private func releaseID(_ id: RequestID?, serial: UInt64) {
        guard let id else { return }
        state.withLock { state in
            if state.serialsByID[id] == serial { state.serialsByID[id] = nil }
        }
    }

    private func requestFinished(serial: UInt64) {
        let waiter = state.withLock { state -> DispatchSemaphore? in
            state.tasks[serial] = nil
            guard state.tasks.isEmpty, let waiter = state.idleWaiter else { return nil }
            state.idleWaiter = nil
            return waiter
        }
        slots.signal()
        waiter?.signal()
    }

    private func cancel(_ id: RequestID) {
        let task = state.withLock { state -> Task<Void, Never>? in
            state.serialsByID[id].flatMap { state.tasks[$0] }
        }
        if let task {
            logger.debug("cancelling request \(id)")
            task.cancel()
        } else {
            logger.debug("ignored cancellation of unknown or finished request \(id)")
        }
    }
}
