import Foundation

/// What a signature covers of a request's URL: the `Host` header it implies, and the path and
/// query exactly as they go on the request line (percent-encoded, unnormalised).
struct RequestTarget: Sendable, Equatable {
    /// The `Host` value when the request has no `Host` header: lowercase, with the port only
    /// when it is not the scheme's default (as HTTP clients send it).
    var host: String?
    var path: String
    /// Without the `?`; empty when there is none.
    var query: String

    init(host: String?, path: String, query: String) {
        self.host = host
        self.path = path
        self.query = query
    }

    init(url: URL) {
        let components = URLComponents(url: url, resolvingAgainstBaseURL: true)
        path = components?.percentEncodedPath ?? ""
        query = components?.percentEncodedQuery ?? ""
        host = components.flatMap(Self.hostHeader)
    }

    private static func hostHeader(_ components: URLComponents) -> String? {
        guard var host = components.percentEncodedHost?.lowercased(), !host.isEmpty else { return nil }
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        let defaultPort = ["http": 80, "https": 443][components.scheme?.lowercased() ?? ""]
        if let port = components.port, port != defaultPort { host += ":\(port)" }
        return host
    }
}
