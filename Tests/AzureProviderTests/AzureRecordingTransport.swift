import CloudCore
import Foundation
import Synchronization

/// An `HTTPTransport` for unit tests: answers each request with what `handler` says (given
/// the request and how many came before it) and records every request it was sent.
final class AzureRecordingTransport: HTTPTransport {
    /// What the transport does with one request.
    enum Step: Sendable {
        case respond(HTTPResponse)
        /// No response: the connection broke or timed out.
        case fail(HTTPTransportError)
    }

    typealias Handler = @Sendable (_ request: HTTPRequest, _ index: Int) async -> Step

    private let handler: Handler
    private let recorded = Mutex<[HTTPRequest]>([])

    init(_ handler: @escaping Handler) { self.handler = handler }

    /// Answers the steps in order; a request beyond them fails the connection (and the test's
    /// expectations on the request count).
    convenience init(script steps: [Step]) {
        self.init { _, index in
            index < steps.count ? steps[index] : .fail(HTTPTransportError(.connection, "the script has no answer left"))
        }
    }

    /// A transport where every connection fails, as the instance metadata service's off Azure.
    static func unreachable() -> AzureRecordingTransport {
        AzureRecordingTransport { _, _ in .fail(HTTPTransportError(.connection, "connect: network is unreachable")) }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
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
    var requests: [HTTPRequest] { recorded.withLock { $0 } }

    /// The bodies of the requests sent so far, as text.
    var bodies: [String] { requests.map { String(decoding: $0.body, as: UTF8.self) } }
}

extension HTTPResponse {
    /// A JSON response.
    static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers.merging(["Content-Type": "application/json"]) { given, _ in given },
                     body: Array(body.utf8))
    }

    /// Microsoft Entra's token endpoint's successful answer (`expires_in` a number).
    static func entraToken(_ token: String, expiresIn: Int? = 3599) -> HTTPResponse {
        .json(200, #"{"token_type":"Bearer","#
            + (expiresIn.map { #""expires_in":\#($0),"ext_expires_in":\#($0),"# } ?? "") + #""access_token":"\#(token)"}"#)
    }

    /// A managed identity endpoint's successful answer (numbers as strings), expiring
    /// `expiresIn` seconds after `issuedAt`.
    static func managedIdentityToken(_ token: String, issuedAt: Date, expiresIn: Int = 3599) -> HTTPResponse {
        let expiresOn = Int(issuedAt.timeIntervalSince1970) + expiresIn
        return .json(200, """
            {"access_token":"\(token)","client_id":"11111111-2222-3333-4444-555555555555","expires_in":"\(expiresIn)",\
            "expires_on":"\(expiresOn)","ext_expires_in":"\(expiresIn)","not_before":"\(expiresOn - expiresIn)",\
            "resource":"https://management.azure.com/","token_type":"Bearer"}
            """)
    }
}
