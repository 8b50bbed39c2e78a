import CloudCore
import Synchronization

/// An `HTTPTransport` for unit tests: answers each request with the next scripted response
/// (a request beyond the script fails as a refused connection) and records every request.
public final class ScriptedTransport: HTTPTransport {
    private let state: Mutex<(responses: [HTTPResponse], requests: [HTTPRequest])>

    public init(_ responses: [HTTPResponse]) { state = Mutex((responses, [])) }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try state.withLock { state in
            state.requests.append(request)
            guard !state.responses.isEmpty else { throw HTTPTransportError(.refused, "no scripted answer for \(request.method) \(request.url)") }
            return state.responses.removeFirst()
        }
    }

    /// Every request sent so far, in order.
    public var requests: [HTTPRequest] { state.withLock { $0.requests } }
}
