/// Sends HTTP requests: the one seam between providers and the network.
///
/// Production uses `CurlTransport`; tests inject their own or talk to a loopback fake
/// over real HTTP.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the response, whatever its status.
    /// - Throws: `HTTPTransportError` when no response arrived; `CancellationError` when cancelled.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// Why no response arrived.
public struct HTTPTransportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The connection could not be made or broke (DNS, refused, reset, TLS).
        case connection
        /// No answer within the request timeout.
        case timedOut
        /// The URL is refused by policy (e.g. plain http to a non-loopback host).
        case refused
    }

    public var kind: Kind
    public var detail: String

    public init(_ kind: Kind, _ detail: String) {
        self.kind = kind
        self.detail = detail
    }

    public var description: String { detail }

    /// Whether sending again may work.
    public var isRetryable: Bool { kind != .refused }
}
