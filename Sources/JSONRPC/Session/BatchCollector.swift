import Synchronization

/// Gathers the responses of one batch and sends them as one array when the last arrives.
final class BatchCollector: Sendable {
    private struct State {
        var responses: [OutgoingMessage] = []
        var expected: Int
    }

    private let state: Mutex<State>
    private let deliver: @Sendable ([OutgoingMessage]) -> Void

    /// - Parameter expected: how many responses the batch will have (requests, not notifications).
    init(expected: Int, deliver: @escaping @Sendable ([OutgoingMessage]) -> Void) {
        state = Mutex(State(expected: expected))
        self.deliver = deliver
    }

    func add(_ response: OutgoingMessage) {
        let complete = state.withLock { state -> [OutgoingMessage]? in
            state.responses.append(response)
            return state.responses.count == state.expected ? state.responses : nil
        }
        if let complete { deliver(complete) }
    }
}
