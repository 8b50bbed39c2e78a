import Synchronization

/// Sends one request's `$/progress` notifications: a `begin`, any number of `report`s, an `end`.
///
/// It keeps the sequence well formed whatever the handler does: `report` before `begin`
/// sends a `begin` first, nothing is sent after `end`, and the session closes a begun
/// sequence with an `end` when the request finishes.
public final class ProgressReporter: Sendable {
    /// A progress value as sent on the wire.
    public struct Event: Sendable, Equatable {
        public enum Kind: String, Sendable { case begin, report, end }
        public let kind: Kind
        public let message: String
        public let percentage: Int?
        /// Further members of the progress value (e.g. `phase`, `status`, `resource`).
        public let details: [String: JSONValue]

        public init(kind: Kind, message: String, percentage: Int?, details: [String: JSONValue] = [:]) {
            self.kind = kind
            self.message = message
            self.percentage = percentage
            self.details = details
        }
    }

    private enum Phase { case idle, begun, ended }

    /// The token identifying this request's progress; nil means progress is not sent.
    public let token: JSONValue?
    private let emit: @Sendable (JSONValue, Event) -> Void
    private let phase = Mutex(Phase.idle)

    /// - Parameters:
    ///   - token: the progress token, or nil to drop all progress.
    ///   - emit: called with the token and each event, in order.
    public init(token: JSONValue?, emit: @escaping @Sendable (JSONValue, Event) -> Void) {
        self.token = token
        self.emit = emit
    }

    /// A reporter that sends nothing.
    public static let disabled = ProgressReporter(token: nil) { _, _ in }

    /// The token of an MCP request: `_meta.progressToken` only (MCP sends progress only when
    /// the client asked for it).
    public static func mcpToken(params: JSONValue?) -> JSONValue? {
        guard let candidate = params?["_meta"]?["progressToken"], RequestID(candidate) != nil else { return nil }
        return candidate
    }

    /// Picks the token: `progressToken` param, else `_meta.progressToken`, else the request id.
    public static func token(params: JSONValue?, id: RequestID?) -> JSONValue? {
        for candidate in [params?["progressToken"], params?["_meta"]?["progressToken"]] {
            if let candidate, RequestID(candidate) != nil { return candidate }
        }
        return id?.jsonValue
    }

    public func begin(_ message: String, percentage: Int? = nil, details: [String: JSONValue] = [:]) {
        send(.begin, message, percentage, details)
    }

    public func report(_ message: String, percentage: Int? = nil, details: [String: JSONValue] = [:]) {
        send(.report, message, percentage, details)
    }

    public func end(_ message: String, details: [String: JSONValue] = [:]) {
        send(.end, message, nil, details)
    }

    /// Ends a begun sequence that the handler left open (called by the session).
    func finishIfBegun(_ message: String) {
        let open = phase.withLock { $0 == .begun }
        if open { end(message) }
    }

    private func send(_ kind: Event.Kind, _ message: String, _ percentage: Int?, _ details: [String: JSONValue] = [:]) {
        guard let token else { return }
        let clamped = percentage.map { min(100, max(0, $0)) }
        // Decide and emit under the lock so concurrent callers keep begin/report/end ordered.
        phase.withLock { phase in
            switch (phase, kind) {
            case (.ended, _), (.idle, .end):
                return
            case (.idle, .report):
                emit(token, Event(kind: .begin, message: message, percentage: clamped, details: details))
                phase = .begun
            case (.idle, .begin):
                phase = .begun
            case (.begun, .begin):
                return
            case (.begun, .end):
                phase = .ended
            case (.begun, .report):
                break
            }
            emit(token, Event(kind: kind, message: message, percentage: clamped, details: details))
        }
    }
}

extension ProgressReporter.Event {
    /// The params of an MCP `notifications/progress`: `progress` is the event's number in its
    /// sequence (MCP wants it to grow), `total` 100 when the event carries a percentage.
    public func mcpParams(token: JSONValue, sequence: Int) -> JSONValue {
        var members: [String: JSONValue] = ["progressToken": token, "message": .string(message)]
        if let percentage {
            members["progress"] = .int(max(sequence, percentage))
            members["total"] = .int(max(100, sequence))
        } else {
            members["progress"] = .int(sequence)
        }
        return .object(members)
    }

    /// The `value` member of a `$/progress` notification.
    public var jsonValue: JSONValue {
        var members = details
        members["kind"] = .string(kind.rawValue)
        members["message"] = .string(message)
        if let percentage { members["percentage"] = .int(percentage) }
        return .object(members)
    }
}
