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
        var text = base.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        text += path
        if !query.isEmpty {
            text += "?" + query.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
        }
        return URL(string: text)!
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters.
    static func escape(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.append(Character(UnicodeScalar(byte)))
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }
}
