import CloudCore
import Foundation

/// Where a `gcp` provider reaches GKE and Compute Engine: `https://container.googleapis.com`
/// and `https://compute.googleapis.com`, or one `endpointURL` serving both (`/v1/…` and
/// `/compute/v1/…` paths), for tests.
struct GCPEndpoints: Sendable, Equatable {
    var container: URL
    var compute: URL

    init(override: URL?) {
        container = override ?? URL(string: "https://container.googleapis.com")!
        compute = override ?? URL(string: "https://compute.googleapis.com")!
    }

    /// `base` + `path` (segments already escaped) + the query.
    static func url(_ base: URL, _ path: String, query: [(String, String)] = []) -> URL {
        URLEncoding.url(base, path: path, query: query)
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters.
    static func escape(_ text: String) -> String { URLEncoding.percentEncode(text) }
}
