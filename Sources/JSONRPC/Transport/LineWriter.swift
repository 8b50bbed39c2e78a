#if canImport(Glibc)
import Glibc
#endif
import Diagnostics
import Dispatch
import Foundation
import Synchronization

/// Writes whole lines to a file descriptor from a thread of its own, so producers never block
/// on a slow or stalled peer and lines never interleave.
///
/// Producers append to a buffer; the writer thread drains it with as few `write(2)` calls as
/// it can. The reader side of a session calls `waitForSpace()` before reading more input, so
/// a peer that sends but never reads is slowed down instead of growing memory without bound.
/// - Important: after `finish()` or a write failure, further lines are dropped.
public final class LineWriter: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var writing = false
        var finishing = false
        var broken = false
        var spaceWaiters = 0
    }

    private let fileDescriptor: Int32
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let space = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let highWater: Int
    private let hardLimit: Int
    private let onBroken: @Sendable (String) -> Void

    /// - Parameters:
    ///   - highWater: buffered bytes above which `waitForSpace()` blocks.
    ///   - hardLimit: buffered bytes above which the peer is treated as gone.
    ///   - onBroken: called once, off the caller's thread, when the peer cannot be written to.
    public init(fileDescriptor: Int32, highWater: Int = 4 << 20, hardLimit: Int = 256 << 20,
                onBroken: @escaping @Sendable (String) -> Void) {
        self.fileDescriptor = fileDescriptor
        self.highWater = highWater
        self.hardLimit = max(hardLimit, highWater)
        self.onBroken = onBroken
        DetachedThread.start { [self] in run() }
    }

    /// Queues one message as a line.
    public func send(_ message: OutgoingMessage) {
        var line: [UInt8] = []
        line.reserveCapacity(96)
        message.append(to: &line)
        line.append(UInt8(ascii: "\n"))
        enqueue(line)
    }

    /// Queues one already serialized line (a terminating newline is added).
    public func sendLine(_ bytes: [UInt8]) {
        var line = bytes
        line.append(UInt8(ascii: "\n"))
        enqueue(line)
    }

    private func enqueue(_ line: [UInt8]) {
        var overflow = false
        let signal = state.withLock { state -> Bool in
            guard !state.broken, !state.finishing else { return false }
            if state.pending.count + line.count > hardLimit {
                state.broken = true
                overflow = true
                return true
            }
            let wasIdle = state.pending.isEmpty && !state.writing
            state.pending.append(contentsOf: line)
            return wasIdle
        }
        if overflow { onBroken("peer is not reading its output (over \(hardLimit) bytes queued)") }
        if signal { wake.signal() }
    }

    /// Blocks the caller while more than the high-water mark is queued.
    public func waitForSpace() {
        let mustWait = state.withLock { state -> Bool in
            guard state.pending.count > highWater, !state.broken, !state.finishing else { return false }
            state.spaceWaiters += 1
            return true
        }
        if mustWait { space.wait() }
    }

    /// Writes everything queued, then stops the thread; blocks until done.
    public func finish() {
        let alreadyFinishing = state.withLock { state -> Bool in
            let was = state.finishing
            state.finishing = true
            return was
        }
        if !alreadyFinishing { wake.signal() }
        done.wait()
        done.signal()  // let any other caller of finish() through too
    }

    private func run() {
        var chunk: [UInt8] = []
        while true {
            wake.wait()
            while true {
                let (stop, waiters) = state.withLock { state -> (Bool, Int) in
                    swap(&chunk, &state.pending)
                    state.pending.removeAll(keepingCapacity: true)
                    state.writing = !chunk.isEmpty
                    let stop = chunk.isEmpty && (state.finishing || state.broken)
                    var waiters = 0
                    if state.spaceWaiters > 0, chunk.count <= highWater || state.broken || state.finishing {
                        waiters = state.spaceWaiters
                        state.spaceWaiters = 0
                    }
                    return (stop, waiters)
                }
                for _ in 0..<waiters { space.signal() }
                if stop {
                    releaseWaiters()
                    done.signal()
                    return
                }
                if chunk.isEmpty { break }
                if !writeAll(chunk) {
                    let first = state.withLock { state -> Bool in
                        let first = !state.broken
                        state.broken = true
                        state.pending = []
                        return first
                    }
                    if first { onBroken("write failed: \(String(cString: strerror(errno)))") }
                }
                chunk.removeAll(keepingCapacity: true)
            }
        }
    }

    private func releaseWaiters() {
        let waiters = state.withLock { state -> Int in
            let count = state.spaceWaiters
            state.spaceWaiters = 0
            return count
        }
        for _ in 0..<waiters { space.signal() }
    }

    private func writeAll(_ bytes: [UInt8]) -> Bool {
        if state.withLock({ $0.broken }) { return true }
        return FileDescriptorIO.writeAll(bytes, to: fileDescriptor)
    }
}
