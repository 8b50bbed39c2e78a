/// The character classes of XML 1.0 (fifth edition) that `XMLScanner` checks, over UTF-8 bytes.
///
/// The scanner validates a whole document once up front (`isDocumentText`), so everything
/// else may decode its bytes without re-checking them.
enum XMLCharacters {
    /// Whether `bytes` are valid UTF-8 whose every scalar is an XML `Char`
    /// (tab, line feed, carriage return, U+0020…U+D7FF, U+E000…U+FFFD, U+10000…U+10FFFF).
    static func isDocumentText(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                guard byte >= 0x20 || byte == 0x9 || byte == 0xA || byte == 0xD else { return false }
                index += 1
                continue
            }
            var iterator = bytes[index...].makeIterator()
            var decoder = Unicode.UTF8()
            guard case .scalarValue(let scalar) = decoder.decode(&iterator), isChar(scalar.value) else { return false }
            index += Unicode.UTF8.width(scalar)
        }
        return true
    }

    /// The XML `Char` production (what a character reference may name, too).
    static func isChar(_ value: UInt32) -> Bool {
        switch value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x1_0000...0x10_FFFF: true
        default: false
        }
    }

    /// The XML white space `S`: space, tab, carriage return, line feed.
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x9 || byte == 0xA || byte == 0xD
    }

    /// The XML `NameStartChar` production.
    static func isNameStart(_ value: UInt32) -> Bool {
        switch value {
        case 0x61...0x7A, 0x41...0x5A, 0x3A, 0x5F: true // a-z A-Z : _
        case 0..<0xC0: false
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D, 0x37F...0x1FFF, 0x200C...0x200D,
             0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFFD,
             0x1_0000...0xE_FFFF: true
        default: false
        }
    }

    /// The XML `NameChar` production.
    static func isNameChar(_ value: UInt32) -> Bool {
        switch value {
        case 0x2D, 0x2E, 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040: true // - . 0-9 · combining marks ‿⁀
        default: isNameStart(value)
        }
    }

    /// Whether UTF-8 `text` is all white space as `Character.isWhitespace` has it (which counts
    /// more than XML's `S`, e.g. U+00A0 and U+2028).
    static func isWhitespace(_ text: [UInt8]) -> Bool {
        // Any ASCII byte but tab, LF, VT, FF, CR and space settles it without decoding characters.
        if text.contains(where: { $0 < 0x80 && !(0x9...0xD).contains($0) && $0 != 0x20 }) { return false }
        return String(decoding: text, as: UTF8.self).allSatisfy(\.isWhitespace)
    }

    /// What is left of a qualified name without its prefix: the last part between colons that is
    /// not empty (`p:a` → `a`, `a:` → `a`), or the name itself if it is all colons.
    static func localName(_ qualified: ArraySlice<UInt8>) -> String {
        let colon = UInt8(ascii: ":")
        guard let last = qualified.lastIndex(where: { $0 != colon }) else { return String(decoding: qualified, as: UTF8.self) }
        let start = qualified[..<last].lastIndex(of: colon).map { $0 + 1 } ?? qualified.startIndex
        return String(decoding: qualified[start...last], as: UTF8.self)
    }

    /// The scalar starting at `index` of already validated UTF-8 `bytes`, and its length in bytes.
    static func scalar(in bytes: [UInt8], at index: Int) -> (value: UInt32, length: Int) {
        let lead = UInt32(bytes[index])
        func continuation(_ offset: Int) -> UInt32 { UInt32(bytes[index + offset] & 0x3F) }
        switch lead {
        case 0..<0x80: return (lead, 1)
        case 0xC0..<0xE0: return ((lead & 0x1F) << 6 | continuation(1), 2)
        case 0xE0..<0xF0: return ((lead & 0x0F) << 12 | continuation(1) << 6 | continuation(2), 3)
        default: return ((lead & 0x07) << 18 | continuation(1) << 12 | continuation(2) << 6 | continuation(3), 4)
        }
    }
}
