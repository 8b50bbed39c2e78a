/// The markup `XMLScanner` reads besides tags: the XML declaration, comments, processing
/// instructions and CDATA sections.
extension XMLScanner {
    /// `<?xml version="1.x" encoding="UTF-8" standalone="yes"?>`, encoding and standalone optional.
    /// Only UTF-8 is read, so a declaration naming another encoding throws.
    mutating func declaration() throws(Malformed) {
        index += 5
        skipSpace()
        try expect("version")
        let version = try pseudoAttributeValue()
        guard version.count > 2, version.starts(with: "1.".utf8),
              version.dropFirst(2).allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { throw Malformed() }
        var spaced = skipSpace()
        if spaced, looksAt("encoding") {
            index += 8
            guard String(decoding: try pseudoAttributeValue(), as: UTF8.self).lowercased() == "utf-8" else { throw Malformed() }
            spaced = skipSpace()
        }
        if spaced, looksAt("standalone") {
            index += 10
            let standalone = String(decoding: try pseudoAttributeValue(), as: UTF8.self)
            guard standalone == "yes" || standalone == "no" else { throw Malformed() }
            skipSpace()
        }
        try expect("?>")
    }

    /// `= "value"` of the declaration, quotes single or double.
    private mutating func pseudoAttributeValue() throws(Malformed) -> ArraySlice<UInt8> {
        skipSpace()
        try expect("=")
        skipSpace()
        guard let quote = peek(), quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { throw Malformed() }
        index += 1
        let start = index
        while let byte = peek(), byte != quote { index += 1 }
        guard peek() == quote else { throw Malformed() }
        index += 1
        return bytes[start..<index - 1]
    }

    /// White space, comments and processing instructions, as may surround the root element.
    mutating func skipMisc() throws(Malformed) {
        while true {
            skipSpace()
            if looksAt("<!--") {
                try skipComment()
            } else if looksAt("<?") {
                try skipProcessingInstruction()
            } else {
                return
            }
        }
    }

    /// `<!-- ... -->`, which may not contain `--`.
    mutating func skipComment() throws(Malformed) {
        index += 4
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "-"), bytes[index + 1] == UInt8(ascii: "-") {
                guard peek(2) == UInt8(ascii: ">") else { throw Malformed() }
                index += 3
                return
            }
            index += 1
        }
        throw Malformed()
    }

    /// `<?target data?>`; the target `xml` (in any case) is reserved for the declaration.
    mutating func skipProcessingInstruction() throws(Malformed) {
        index += 2
        let target = try name()
        guard String(decoding: bytes[target], as: UTF8.self).lowercased() != "xml" else { throw Malformed() }
        if looksAt("?>") { index += 2; return }
        guard skipSpace() else { throw Malformed() }
        _ = try skip(past: "?>")
    }

    /// `<![CDATA[ ... ]]>`, its content added to the element's text as it is: even a CR stays,
    /// as `XMLParser` (libxml2) kept it, though XML would read CR LF as LF here too.
    mutating func cdata() throws(Malformed) {
        index += 9
        let content = try skip(past: "]]>")
        appendText(bytes[content], verbatim: true)
    }

    /// Steps past the next `terminator` and returns what came before it.
    private mutating func skip(past terminator: String) throws(Malformed) -> Range<Int> {
        let start = index
        while index < bytes.count {
            if looksAt(terminator) {
                defer { index += terminator.utf8.count }
                return start..<index
            }
            index += 1
        }
        throw Malformed()
    }
}
