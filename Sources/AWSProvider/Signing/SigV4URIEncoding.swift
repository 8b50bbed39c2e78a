/// The URI encoding of Signature Version 4: the canonical path and query of a request.
///
/// Every byte except the RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`) is written as
/// `%XY` with uppercase hex; the path also keeps its `/`.
enum SigV4URIEncoding {
    /// `bytes` URI-encoded; `/` kept when `keepingSlashes`.
    static func encode(_ bytes: some Sequence<UInt8>, keepingSlashes: Bool = false) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount)
        for byte in bytes {
            if isUnreserved(byte) || (keepingSlashes && byte == UInt8(ascii: "/")) {
                text.append(byte)
            } else {
                text.append(UInt8(ascii: "%"))
                text.append(upperHexDigits[Int(byte >> 4)])
                text.append(upperHexDigits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The canonical URI of a path as sent: dot segments and empty segments removed (a
    /// trailing slash kept), then URI-encoded with the slashes kept. A `%` of the path is
    /// encoded too: services other than S3 expect names encoded twice.
    static func canonicalPath(_ path: String) -> String {
        encode(removingDotSegments(path).utf8, keepingSlashes: true)
    }

    /// RFC 3986's dot-segment removal, also collapsing empty segments (`//`), as AWS
    /// services do; `""` becomes `/`.
    static func removingDotSegments(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        let leading = path.hasPrefix("/") ? "/" : ""
        let trailing = path.hasSuffix("/") && !segments.isEmpty ? "/" : ""
        return leading + segments.joined(separator: "/") + trailing
    }

    /// The canonical query of a query as sent (without the `?`): each key and value
    /// percent-decoded and encoded again, pairs sorted by key then value (byte order), a key
    /// without `=` given an empty value, repeated keys and empty values kept, empty
    /// parameters (`a=1&&b=2`) dropped.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { parameter in
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = encode(percentDecoded(parts[0]))
            let value = parts.count > 1 ? encode(percentDecoded(parts[1])) : ""
            return (key: key, value: value)
        }
        return pairs
            .sorted { lhs, rhs in
                lhs.key == rhs.key ? lhs.value.utf8.lexicographicallyPrecedes(rhs.value.utf8)
                    : lhs.key.utf8.lexicographicallyPrecedes(rhs.key.utf8)
            }
            .map { "\($0.key)=\($0.value)" }
            .joined(separator: "&")
    }

    /// The bytes of `text` with each `%XY` replaced by the byte it stands for; a `%` not
    /// followed by two hex digits is kept as it is, and `+` stays a plus sign.
    static func percentDecoded(_ text: some StringProtocol) -> [UInt8] {
        let input = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            if input[index] == UInt8(ascii: "%"), index + 2 < input.count,
               let high = hexValue(input[index + 1]), let low = hexValue(input[index + 2]) {
                bytes.append(high << 4 | low)
                index += 3
            } else {
                bytes.append(input[index])
                index += 1
            }
        }
        return bytes
    }

    private static let upperHexDigits = Array("0123456789ABCDEF".utf8)

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
