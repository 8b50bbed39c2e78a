import CloudCore
import Foundation
import Synchronization

/// An `HTTPTransport` for unit tests: answers each request with what `handler` says (given
/// the request and how many came before it) and records every request it was sent.
public final class RecordingTransport: HTTPTransport {
    /// What the transport does with one request.
    public enum Step: Sendable {
        case respond(HTTPResponse)
        /// No response: the connection broke or timed out.
        case fail(HTTPTransportError)
    }

    public typealias Handler = @Sendable (_ request: HTTPRequest, _ index: Int) async -> Step

    private let handler: Handler
    private let recorded = Mutex<[HTTPRequest]>([])

    public init(_ handler: @escaping Handler) { self.handler = handler }

    /// Answers the steps in order; a request beyond them fails the connection (and the test's
    /// expectations on the request count).
    public convenience init(script steps: [Step]) {
        self.init { _, index in
            index < steps.count ? steps[index] : .fail(HTTPTransportError(.connection, "the script has no answer left"))
        }
    }

    /// A transport where every connection fails, as a metadata service's off its cloud.
    public static func unreachable() -> RecordingTransport {
        RecordingTransport { _, _ in .fail(HTTPTransportError(.connection, "connect: network is unreachable")) }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let index = recorded.withLock { requests -> Int in
            requests.append(request)
            return requests.count - 1
        }
        switch await handler(request, index) {
        case .respond(let response): return response
        case .fail(let error): throw error
        }
    }

    /// Every request sent so far, in order.
    public var requests: [HTTPRequest] { recorded.withLock { $0 } }

    /// The bodies of the requests sent so far, as text.
    public var bodies: [String] { requests.map { String(decoding: $0.body, as: UTF8.self) } }
}

extension HTTPResponse {
    /// A JSON response.
    public static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers.merging(["Content-Type": "application/json"]) { given, _ in given },
                     body: Array(body.utf8))
    }
}
