/// Cuts a sorted list into pages with opaque tokens (the last key seen, hex-encoded), for
/// providers whose cloud answers whole lists.
public enum Pagination {
    public static func page<Item>(of items: [Item], key: (Item) -> String, request: PageRequest) throws(CloudProviderError) -> Page<Item> {
        var remaining = items[...]
        if let token = request.pageToken {
            guard let after = decode(token) else {
                throw .invalidRequest(field: "pageToken", reason: "is not a nextPageToken returned by a previous call")
            }
            remaining = remaining.drop { key($0) <= after }
        }
        let pageItems = Array(remaining.prefix(request.limit))
        let more = remaining.count > pageItems.count
        return Page(items: pageItems, nextPageToken: more ? encode(key(pageItems.last!)) : nil)
    }

    private static func encode(_ key: String) -> String {
        "p1" + key.utf8.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    private static func decode(_ token: String) -> String? {
        guard token.hasPrefix("p1"), token.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = token.index(token.startIndex, offsetBy: 2)
        while index < token.endIndex {
            let next = token.index(index, offsetBy: 2)
            guard let byte = UInt8(token[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
