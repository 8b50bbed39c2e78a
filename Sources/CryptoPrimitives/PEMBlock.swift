/// One armored block of PEM text (RFC 7468): `-----BEGIN LABEL-----`, optional RFC 1421
/// headers (`Proc-Type: 4,ENCRYPTED` on encrypted traditional keys), base64, `-----END LABEL-----`.
///
/// Finding blocks is lenient: text outside the armor is ignored, and line breaks (LF or
/// CRLF), indentation and blank lines inside are too, as is a block written on one line.
/// Decoding the base64 is strict: only the standard alphabet, with correct padding.
struct PEMBlock {
    /// The label between "BEGIN " and the dashes, e.g. "PRIVATE KEY".
    let label: String
    /// Everything between the BEGIN and END lines; nil when there is no END line.
    private let body: ArraySlice<UInt8>?

    /// Every block in `text`, in order.
    static func all(in text: String) -> [PEMBlock] {
        let bytes = Array(text.utf8)
        let begin = Array("-----BEGIN ".utf8), dashes = Array("-----".utf8)
        var blocks: [PEMBlock] = []
        var index = 0
        while let beginStart = firstIndex(of: begin, in: bytes, from: index) {
            let labelStart = beginStart + begin.count
            guard let labelEnd = firstIndex(of: dashes, in: bytes, from: labelStart) else { break }
            let labelBytes = bytes[labelStart..<labelEnd]
            guard !labelBytes.contains(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else {
                index = labelStart
                continue
            }
            let label = String(decoding: labelBytes, as: UTF8.self)
            let bodyStart = labelEnd + dashes.count
            let end = Array("-----END ".utf8) + labelBytes + dashes
            guard let endStart = firstIndex(of: end, in: bytes, from: bodyStart) else {
                blocks.append(PEMBlock(label: label, body: nil))
                break
            }
            blocks.append(PEMBlock(label: label, body: bytes[bodyStart..<endStart]))
            index = endStart + end.count
        }
        return blocks
    }

    /// The label, safe to quote in a message (printable ASCII, at most 40 characters).
    var quotedLabel: String {
        let printable = label.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "?" }
        return "'" + String(printable.prefix(40)) + (printable.count > 40 ? "…" : "") + "'"
    }

    /// The RFC 1421 header lines ("Name: value") at the start of the body.
    var headers: [String] {
        guard let body else { return [] }
        var headers: [String] = []
        for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            let text = String(decoding: line, as: UTF8.self).trimmingWhitespace
            if text.isEmpty && headers.isEmpty { continue }
            guard text.contains(":") else { break }
            headers.append(text)
        }
        return headers
    }

    /// The bytes the base64 body encodes (after any headers).
    func decoded() throws(RSAKeyError) -> [UInt8] {
        guard let body else { throw RSAKeyError("PEM: the \(quotedLabel) block has no matching END line") }
        var characters: [UInt8] = []
        var inHeaders = true
        for line in body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            if inHeaders {
                if line.contains(UInt8(ascii: ":")) { continue }
                if !characters.isEmpty || line.contains(where: { !Self.isWhitespace($0) }) { inHeaders = false }
            }
            characters.append(contentsOf: line.filter { !Self.isWhitespace($0) })
        }
        guard !characters.isEmpty else { throw RSAKeyError("PEM: the \(quotedLabel) block is empty") }
        guard let bytes = Self.decodeBase64(characters) else {
            throw RSAKeyError("PEM: the body of the \(quotedLabel) block is not valid base64")
        }
        return bytes
    }

    /// Standard base64 with padding (RFC 4648 section 4), through `Base64URL` once the
    /// alphabet is swapped and the padding checked and dropped; nil if malformed.
    private static func decodeBase64(_ characters: [UInt8]) -> [UInt8]? {
        guard characters.count % 4 == 0 else { return nil }
        let padding = characters.reversed().prefix { $0 == UInt8(ascii: "=") }.count
        guard padding <= 2 else { return nil }
        var urlSafe: [UInt8] = []
        urlSafe.reserveCapacity(characters.count)
        for character in characters.dropLast(padding) {
            switch character {
            case UInt8(ascii: "+"): urlSafe.append(UInt8(ascii: "-"))
            case UInt8(ascii: "/"): urlSafe.append(UInt8(ascii: "_"))
            case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "="): return nil
            default: urlSafe.append(character)
            }
        }
        return Base64URL.decode(String(decoding: urlSafe, as: UTF8.self))
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<index + needle.count].elementsEqual(needle) { return index }
        }
        return nil
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CRs and LFs.
    fileprivate var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
