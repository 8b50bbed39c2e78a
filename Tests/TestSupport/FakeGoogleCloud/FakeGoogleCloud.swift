import CloudCore
import CryptoPrimitives
import Foundation
import Synchronization

/// GKE (`container/v1`) and Compute Engine (`compute/v1`) as the REST references describe
/// them, served over real HTTP on 127.0.0.1 for tests: one base URL with the GKE paths under
/// `/v1/…` and the Compute paths under `/compute/v1/…`.
///
/// Mutations answer long-running operations that run for `operationDuration` (PENDING, then
/// RUNNING, then DONE); a resource changes when its operation is done, as on Google Cloud.
/// Requests need `Authorization: Bearer` with an accepted token (401 UNAUTHENTICATED
/// otherwise); failures can be injected. Everything received stays inspectable.
public final class FakeGoogleCloud: Sendable {
    public let server: LoopbackHTTPServer
    public var baseURL: URL { server.baseURL }
    private let box: Box

    /// The state, behind one lock shared with the server's handler.
    private final class Box: Sendable {
        let state: Mutex<FakeGoogleCloudState>
        init(_ state: FakeGoogleCloudState) { self.state = Mutex(state) }
    }

    /// - Parameters:
    ///   - operationDuration: how long each operation runs.
    ///   - tokens: the bearer tokens accepted.
    public init(operationDuration: Duration = .milliseconds(300), tokens: Set<String> = ["fake-token"]) throws {
        let box = Box(FakeGoogleCloudState(operationDuration: operationDuration, tokens: tokens))
        self.box = box
        server = try LoopbackHTTPServer { request in
            box.state.withLock { $0.handle(request) }
        }
    }

    /// Accepts `token` from now on.
    public func acceptToken(_ token: String) { box.state.withLock { _ = $0.tokens.insert(token) } }

    /// Refuses `token` from now on (401, as for an expired token).
    public func expireToken(_ token: String) { box.state.withLock { _ = $0.tokens.remove(token) } }

    /// The next `count` API requests answer `status` (429 RESOURCE_EXHAUSTED or 503
    /// UNAVAILABLE), with `Retry-After` when given.
    public func failNext(_ count: Int, status: Int, retryAfterSeconds: Int? = nil) {
        box.state.withLock { $0.injected = Array(repeating: (status, retryAfterSeconds), count: count) }
    }

    /// The next operation of `type` (`CREATE_CLUSTER`, `insert` …) ends with this error.
    public func failNextOperation(ofType type: String, message: String) {
        box.state.withLock { $0.failingOperations[type] = message }
    }

    /// Honours `refreshToken` at `/token` (the refresh-token grant of authorized_user files).
    public func acceptRefreshToken(_ refreshToken: String) { box.state.withLock { _ = $0.refreshTokens.insert(refreshToken) } }

    /// Honours JWTs of `email` signed with the private key of `publicKeyPEM` at `/token`.
    public func acceptServiceAccount(_ email: String, publicKeyPEM: String) throws {
        let key = try RSAPublicKey(pem: publicKeyPEM)
        let url = baseURL.absoluteString + "/token"
        box.state.withLock { state in
            state.serviceAccounts[email] = key
            state.tokenURL = url
        }
    }

    /// How many access tokens `/token` issued.
    public var tokenGrants: Int { box.state.withLock { $0.grants } }

    /// The tokens `/token` issued, newest last, refused from now on (as if expired).
    public func expireIssuedTokens() {
        box.state.withLock { state in
            for token in state.tokens where token.hasPrefix("ya29.issued-") { state.tokens.remove(token) }
        }
    }

    /// Every request received so far, in order.
    public var receivedRequests: [HTTPRequest] { server.receivedRequests }

    /// How many requests the fake answered with 401.
    public var refusedTokens: Int { box.state.withLock { $0.refused } }
}
