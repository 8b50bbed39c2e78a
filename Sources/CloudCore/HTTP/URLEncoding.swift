import Foundation

/// Building request URLs the way cloud REST APIs and their signers expect: RFC 3986
/// percent-encoding of everything but the unreserved characters.
public enum URLEncoding {
    /// `text` with every byte but `A-Z a-z 0-9 - . _ ~` as `%XX` (uppercase hex).
    public static func percentEncode(_ text: String) -> String {
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

    /// `base` (any trailing slashes dropped) + `path` (segments already encoded by the caller)
    /// + the query, each name and value encoded.
    public static func url(_ base: URL, path: String, query: [(String, String)] = []) -> URL {
        var text = base.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        text += path
        if !query.isEmpty {
            text += "?" + query.map { "\(percentEncode($0.0))=\(percentEncode($0.1))" }.joined(separator: "&")
        }
        return URL(string: text)!
    }
}
