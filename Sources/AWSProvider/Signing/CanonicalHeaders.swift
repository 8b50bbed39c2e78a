/// The headers of a canonical request: names lowercased and sorted, each once, with its
/// values trimmed, inner whitespace collapsed and joined by commas in the order sent.
struct CanonicalHeaders: Sendable, Equatable {
    /// Headers never signed: `Authorization` (it carries the signature) and those proxies and
    /// HTTP clients may add, drop or change on the way (botocore's list).
    static let unsigned: Set<String> = [
        "authorization", "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    /// `(name, value)` pairs, sorted by name.
    var entries: [(name: String, value: String)]

    init(_ headers: [(name: String, value: String)]) {
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let key = name.trimmingWhitespace().lowercased()
            guard !Self.unsigned.contains(key) else { continue }
            values[key, default: []].append(value.split(whereSeparator: \.isWhitespace).joined(separator: " "))
        }
        entries = values.keys
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            .map { ($0, values[$0, default: []].joined(separator: ",")) }
    }

    /// One `name:value` line per header, each ending in a newline.
    var text: String { entries.map { "\($0.name):\($0.value)\n" }.joined() }

    /// The names joined by `;`.
    var signedHeaders: String { entries.map(\.name).joined(separator: ";") }

    static func == (lhs: CanonicalHeaders, rhs: CanonicalHeaders) -> Bool {
        lhs.entries.map { [$0.name, $0.value] } == rhs.entries.map { [$0.name, $0.value] }
    }
}

extension StringProtocol {
    /// The text without leading and trailing whitespace.
    fileprivate func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
