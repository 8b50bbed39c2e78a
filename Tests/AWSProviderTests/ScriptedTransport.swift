import CloudCore
import Foundation
import Synchronization
@testable import AWSProvider

/// An `HTTPTransport` for unit tests: answers each request with the next step of a script,
/// in order, and records every request it was sent.
///
/// A request beyond the end of the script fails with `ScriptedTransport.Exhausted`, so a
/// client that sends more than the test expects (a retry too many) fails the test instead of
/// being answered.
final class ScriptedTransport: HTTPTransport {
    /// What the transport does with one request.
    enum Step: Sendable {
        case respond(HTTPResponse)
        /// No response: the connection broke or timed out.
        case fail(HTTPTransportError)
    }

    /// The script had no step left for a request.
    struct Exhausted: Error, CustomStringConvertible {
        var request: String
        var description: String { "the scripted transport has no answer left for \(request)" }
    }

    private struct State {
        var steps: [Step]
        var requests: [HTTPRequest] = []
    }

    private let state: Mutex<State>

    init(_ steps: [Step]) { state = Mutex(State(steps: steps)) }

    convenience init(_ responses: HTTPResponse...) { self.init(responses.map(Step.respond)) }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let step = state.withLock { state -> Step? in
            state.requests.append(request)
            return state.steps.isEmpty ? nil : state.steps.removeFirst()
        }
        switch step {
        case .respond(let response)?: return response
        case .fail(let error)?: throw error
        case nil: throw Exhausted(request: "\(request.method) \(request.url.absoluteString)")
        }
    }

    /// Every request sent so far, in order.
    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    /// The form bodies of the requests sent so far, as text.
    var bodies: [String] { requests.map { String(decoding: $0.body, as: UTF8.self) } }
}

extension HTTPResponse {
    /// An XML response, as the Query API services send them.
    static func xml(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers.merging(["Content-Type": "text/xml;charset=UTF-8"]) { given, _ in given },
                     body: Array(body.utf8))
    }
}

/// An STS that must not be called (the tests that use it sign with fixed keys).
struct UnusedSTS: AWSSecurityTokenService {
    func assumeRole(with credentials: AWSCredentials, roleArn: String, sessionName: String, externalId: String?) async throws -> AWSCredentials {
        throw CloudProviderError.unauthenticated(reason: "this test has no STS")
    }

    func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws -> AWSCredentials {
        throw CloudProviderError.unauthenticated(reason: "this test has no STS")
    }
}
