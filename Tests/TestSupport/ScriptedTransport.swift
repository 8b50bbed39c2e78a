import CloudCore
import Synchronization

/// An `HTTPTransport` for unit tests: answers each request with the next step of a script, in
/// order, and records every request it was sent. A request beyond the script fails as a
/// refused connection, so a client that sends more than the test expects is not answered.
public final class ScriptedTransport: HTTPTransport {
    /// What the transport does with one request.
    public enum Step: Sendable {
        case respond(HTTPResponse)
        /// No response: the connection broke or timed out.
        case fail(HTTPTransportError)
    }

    private let state: Mutex<(steps: [Step], requests: [HTTPRequest])>

    public init(steps: [Step]) { state = Mutex((steps, [])) }

    public convenience init(_ responses: [HTTPResponse]) { self.init(steps: responses.map(Step.respond)) }

    public convenience init(_ responses: HTTPResponse...) { self.init(responses) }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let step = state.withLock { state -> Step? in
            state.requests.append(request)
            return state.steps.isEmpty ? nil : state.steps.removeFirst()
        }
        switch step {
        case .respond(let response)?: return response
        case .fail(let error)?: throw error
        case nil: throw HTTPTransportError(.refused, "no scripted answer for \(request.method) \(request.url)")
        }
    }

    /// Every request sent so far, in order.
    public var requests: [HTTPRequest] { state.withLock { $0.requests } }

    /// The bodies of the requests sent so far, as text.
    public var bodies: [String] { requests.map { String(decoding: $0.body, as: UTF8.self) } }
}
