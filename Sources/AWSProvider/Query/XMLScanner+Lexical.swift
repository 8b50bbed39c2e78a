/// The lexical pieces of `XMLScanner`: looking ahead, white space, names and references.
extension XMLScanner {
    /// The byte `offset` past the current one, nil past the end.
    func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    /// Whether the input continues with `literal`.
    func looksAt(_ literal: String) -> Bool {
        var position = index
        for byte in literal.utf8 {
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
        }
        return true
    }

    /// Steps over `literal`, which must come next.
    mutating func expect(_ literal: String) throws(Malformed) {
        guard looksAt(literal) else { throw Malformed() }
        index += literal.utf8.count
    }

    /// Steps over white space; whether there was any.
    @discardableResult
    mutating func skipSpace() -> Bool {
        let start = index
        while index < bytes.count, XMLCharacters.isSpace(bytes[index]) { index += 1 }
        return index > start
    }

    /// Steps over an XML `Name` (colons included: prefixes are not resolved) and returns its bytes.
    mutating func name() throws(Malformed) -> Range<Int> {
        let start = index
        while index < bytes.count {
            let (value, length) = XMLCharacters.scalar(in: bytes, at: index)
            guard index == start ? XMLCharacters.isNameStart(value) : XMLCharacters.isNameChar(value) else { break }
            index += length
        }
        guard index > start else { throw Malformed() }
        return start..<index
    }

    /// Steps over `&lt;`, `&gt;`, `&amp;`, `&quot;`, `&apos;`, `&#DDD;` or `&#xHHH;` and returns the
    /// character; any other entity (there is no DTD to define one) or a character XML forbids throws.
    mutating func reference() throws(Malformed) -> Unicode.Scalar {
        index += 1
        let value: UInt32
        if looksAt("#x") {
            index += 2
            value = try number(radix: 16)
        } else if looksAt("#") {
            index += 1
            value = try number(radix: 10)
        } else {
            switch String(decoding: bytes[try name()], as: UTF8.self) {
            case "lt": value = 0x3C
            case "gt": value = 0x3E
            case "amp": value = 0x26
            case "quot": value = 0x22
            case "apos": value = 0x27
            default: throw Malformed()
            }
        }
        try expect(";")
        guard XMLCharacters.isChar(value), let scalar = Unicode.Scalar(value) else { throw Malformed() }
        return scalar
    }

    /// At least one digit of `radix`; anything beyond U+10FFFF throws before it can overflow.
    private mutating func number(radix: UInt32) throws(Malformed) -> UInt32 {
        var value: UInt32 = 0
        let start = index
        while let byte = peek(), let digit = Self.digit(byte, radix: radix) {
            value = value * radix + digit
            guard value <= 0x10_FFFF else { throw Malformed() }
            index += 1
        }
        guard index > start else { throw Malformed() }
        return value
    }

    private static func digit(_ byte: UInt8, radix: UInt32) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where radix == 16: UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F") where radix == 16: UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Steps over a quoted attribute value: no `<`, and every `&` a valid reference.
    mutating func skipAttributeValue() throws(Malformed) {
        guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { throw Malformed() }
        index += 1
        while let byte = peek() {
            switch byte {
            case quote: index += 1; return
            case UInt8(ascii: "<"): throw Malformed()
            case UInt8(ascii: "&"): _ = try reference()
            default: index += 1
            }
        }
        throw Malformed()
    }
}
