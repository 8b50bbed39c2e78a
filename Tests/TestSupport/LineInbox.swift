import Dispatch
import Synchronization

/// Lines received from a peer, handed to waiters in arrival order, with a timeout on every wait.
public final class LineInbox: Sendable {
    /// Waiting for a line failed.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case timedOut(seconds: Double)
        case endOfStream
        case logLineMissing(String, stderr: String)

        public var description: String {
            switch self {
            case .timedOut(let seconds): "no line arrived within \(seconds) s"
            case .endOfStream: "the peer closed its output"
            case .logLineMissing(let text, let stderr): "the agent never logged '\(text)'; its stderr:\n\(stderr)"
            }
        }
    }

    private struct Waiter {
        let number: Int
        let continuation: CheckedContinuation<[UInt8], any Error>
    }

    private struct State {
        var lines: [[UInt8]] = []
        var closed = false
        var waiters: [Waiter] = []
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Delivers a line to the oldest waiter, or keeps it.
    public func deliver(_ line: [UInt8]) {
        let waiter = state.withLock { state -> Waiter? in
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.lines.append(line)
            return nil
        }
        waiter?.continuation.resume(returning: line)
    }

    /// Marks the end of input; current and future waits fail with `.endOfStream` once drained.
    public func close() {
        let waiters = state.withLock { state -> [Waiter] in
            state.closed = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.continuation.resume(throwing: Failure.endOfStream) }
    }

    /// The next line, waiting up to `timeout` seconds for it.
    public func next(timeout: Double) async throws -> [UInt8] {
        try await withCheckedThrowingContinuation { continuation in
            let (immediate, number) = state.withLock { state -> (Result<[UInt8], any Error>?, Int) in
                if !state.lines.isEmpty { return (.success(state.lines.removeFirst()), 0) }
                if state.closed { return (.failure(Failure.endOfStream), 0) }
                let number = state.nextWaiter
                state.nextWaiter += 1
                state.waiters.append(Waiter(number: number, continuation: continuation))
                return (nil, number)
            }
            if let immediate {
                continuation.resume(with: immediate)
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { [self] in
                let expired = state.withLock { state -> Waiter? in
                    guard let index = state.waiters.firstIndex(where: { $0.number == number }) else { return nil }
                    return state.waiters.remove(at: index)
                }
                expired?.continuation.resume(throwing: Failure.timedOut(seconds: timeout))
            }
        }
    }
}
