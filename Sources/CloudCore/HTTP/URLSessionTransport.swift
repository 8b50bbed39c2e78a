import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The production `HTTPTransport`: URLSession, no cookies, no cache, bounded timeouts.
///
/// https is verified by the system trust store; plain http is allowed only to loopback
/// addresses (test servers such as moto and the fakes), so a typo cannot send credentials
/// in clear text across a network.
public final class URLSessionTransport: HTTPTransport {
    private let session: URLSession

    public init(requestTimeout: TimeInterval = 60) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.timeoutIntervalForRequest = requestTimeout
        configuration.timeoutIntervalForResource = requestTimeout * 5
        session = URLSession(configuration: configuration)
    }

    deinit { session.invalidateAndCancel() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try EndpointPolicy.check(request.url)
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers {
            urlRequest.addValue(value, forHTTPHeaderField: name)
        }
        if !request.body.isEmpty { urlRequest.httpBody = Data(request.body) }
        do {
            let (data, response) = try await session.data(for: urlRequest)
            guard let http = response as? HTTPURLResponse else {
                throw HTTPTransportError(.connection, "not an HTTP response from \(request.url.host ?? "?")")
            }
            var headers: [String: String] = [:]
            for (key, value) in http.allHeaderFields {
                if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
            }
            return HTTPResponse(status: http.statusCode, headers: headers, body: Array(data))
        } catch let error as URLError {
            if error.code == .cancelled { throw CancellationError() }
            let kind: HTTPTransportError.Kind = error.code == .timedOut ? .timedOut : .connection
            throw HTTPTransportError(kind, "\(request.method) \(request.url.host ?? "?"): \(error.localizedDescription)")
        }
    }
}

/// Which endpoints the agent may talk to: https anywhere, http only on loopback and to the
/// link-local instance metadata services.
public enum EndpointPolicy {
    public static func check(_ url: URL) throws(HTTPTransportError) {
        switch url.scheme?.lowercased() {
        case "https":
            return
        case "http":
            guard let host = url.host, isLoopback(host) || isInstanceMetadata(host) else {
                throw HTTPTransportError(.refused, "plain http is allowed only to loopback addresses, not \(url.host ?? "?"); use https")
            }
        default:
            throw HTTPTransportError(.refused, "unsupported URL scheme '\(url.scheme ?? "")'")
        }
    }

    /// The link-local metadata services of cloud hosts (EC2 IMDS, ECS container credentials,
    /// GCE metadata), which only ever speak plain http and never leave the host.
    public static func isInstanceMetadata(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return ["169.254.169.254", "169.254.170.2", "169.254.170.23", "fd00:ec2::254", "fd00:ec2::23"].contains(bare)
    }

    /// `localhost`, 127.0.0.0/8 or ::1.
    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        if bare == "localhost" || bare == "::1" { return true }
        let parts = bare.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}
