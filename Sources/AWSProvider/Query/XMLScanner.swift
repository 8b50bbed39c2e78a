/// A small XML 1.0 reader that checks a document is well-formed and builds its `XMLTree` directly
/// from the UTF-8 bytes of an AWS Query API response (EC2, STS).
///
/// It stands in for Foundation's `XMLParser`, whose library (a wrapper of libxml2) would otherwise cost
/// the agent several milliseconds of every start-up.
///
/// Read: a UTF-8 byte order mark; an XML declaration (version 1.x, encoding UTF-8 if named);
/// comments and processing instructions (skipped); start tags with single- or double-quoted
/// attributes (checked, not kept); self-closing tags; end tags matching their start tag; text with
/// the five predefined entities and decimal or hexadecimal character references; CDATA sections
/// (kept verbatim, line ends included, as libxml2 keeps them); in text, CR LF and lone CR read as LF.
///
/// Refused (nil): bytes that are not UTF-8 or hold a character XML forbids; a DOCTYPE (AWS never
/// sends one, and refusing it leaves no entity to expand, so no "billion laughs"); a declared
/// encoding other than UTF-8; unknown entities and references to characters XML forbids;
/// unclosed, mismatched or malformed tags; a repeated attribute; `]]>` in text; `--` in a comment;
/// a processing instruction named `xml` past the start; no root element, two of them, or text
/// outside it; elements nested deeper than `maximumDepth`. Nothing recurses, so hostile input
/// cannot exhaust the stack.
struct XMLScanner {
    /// How many elements may be open at once (the root counts as one).
    static let maximumDepth = 256

    /// What every refusal throws; `tree(from:)` turns it into nil.
    struct Malformed: Error {}

    /// An element whose end tag is still to come.
    private struct OpenElement {
        var qualifiedName: Range<Int>
        var name: String
        var text: [UInt8] = []
        var children: [XMLTree] = []
    }

    let bytes: [UInt8]
    var index = 0
    private var open: [OpenElement] = []
    private var root: XMLTree?

    private init(bytes: [UInt8]) { self.bytes = bytes }

    /// The tree of the document `bytes`; nil if they are not a well-formed XML document.
    static func tree(from bytes: [UInt8]) -> XMLTree? {
        guard XMLCharacters.isDocumentText(bytes) else { return nil }
        var scanner = XMLScanner(bytes: bytes)
        do { return try scanner.document() } catch { return nil }
    }

    /// Prolog, the root element, then nothing but white space, comments and processing instructions.
    private mutating func document() throws(Malformed) -> XMLTree {
        if looksAt("\u{FEFF}") { index += 3 }
        if looksAt("<?xml"), let next = peek(5), XMLCharacters.isSpace(next) { try declaration() }
        try skipMisc()
        // A DOCTYPE (`<!`) is not a name, so it is refused here with anything else that is not a root.
        guard looksAt("<") else { throw Malformed() }
        try startTag()
        try content()
        try skipMisc()
        guard index == bytes.count, let root else { throw Malformed() }
        return root
    }

    /// Everything up to the root element's end tag, without recursion: `open` is the stack.
    private mutating func content() throws(Malformed) {
        while !open.isEmpty {
            guard let byte = peek() else { throw Malformed() }
            switch byte {
            case UInt8(ascii: "<"):
                switch peek(1) {
                case UInt8(ascii: "/"): try endTag()
                case UInt8(ascii: "?"): try skipProcessingInstruction()
                case UInt8(ascii: "!"):
                    if looksAt("<!--") { try skipComment() } else if looksAt("<![CDATA[") { try cdata() } else { throw Malformed() }
                default: try startTag()
                }
            case UInt8(ascii: "&"):
                let scalar = try reference()
                appendText { text in Unicode.UTF8.encode(scalar) { text.append($0) } }
            default: try characterData()
            }
        }
    }

    /// `<name attribute="value" ...>` or `<name .../>`.
    private mutating func startTag() throws(Malformed) {
        guard open.count < Self.maximumDepth else { throw Malformed() }
        index += 1
        let qualifiedName = try name()
        open.append(OpenElement(qualifiedName: qualifiedName, name: XMLCharacters.localName(bytes[qualifiedName])))
        var attributes: Set<ArraySlice<UInt8>> = []
        while true {
            let spaced = skipSpace()
            if looksAt(">") { index += 1; return }
            if looksAt("/>") { index += 2; close(); return }
            guard spaced else { throw Malformed() }
            let attribute = try name()
            guard attributes.insert(bytes[attribute]).inserted else { throw Malformed() }
            skipSpace()
            try expect("=")
            skipSpace()
            try skipAttributeValue()
        }
    }

    /// `</name>`, which must name the innermost open element.
    private mutating func endTag() throws(Malformed) {
        index += 2
        let qualifiedName = try name()
        skipSpace()
        try expect(">")
        guard bytes[qualifiedName].elementsEqual(bytes[open[open.count - 1].qualifiedName]) else { throw Malformed() }
        close()
    }

    /// Ends the innermost element: a leaf keeps its text unless it is only white space; the text of
    /// an element with children is dropped (it is indentation).
    private mutating func close() {
        let element = open.removeLast()
        let leaf = element.children.isEmpty && !XMLCharacters.isWhitespace(element.text)
        let tree = XMLTree(name: element.name, text: leaf ? String(decoding: element.text, as: UTF8.self) : "", children: element.children)
        if open.isEmpty {
            root = tree
        } else {
            open[open.count - 1].children.append(tree)
            open[open.count - 1].text = []
        }
    }

    /// Text up to the next markup or reference.
    private mutating func characterData() throws(Malformed) {
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "<"), bytes[index] != UInt8(ascii: "&") {
            if bytes[index] == UInt8(ascii: "]"), looksAt("]]>") { throw Malformed() }
            index += 1
        }
        appendText(bytes[start..<index])
    }

    /// Adds `run` to the innermost element's text, CR LF and lone CR read as LF unless `verbatim`.
    mutating func appendText(_ run: ArraySlice<UInt8>, verbatim: Bool = false) {
        guard !verbatim, run.contains(0xD) else { return appendText { $0.append(contentsOf: run) } }
        appendText { text in
            var afterCR = false
            for byte in run {
                if byte != 0xA || !afterCR { text.append(byte == 0xD ? 0xA : byte) }
                afterCR = byte == 0xD
            }
        }
    }

    /// Lets `write` add to the innermost element's text while it has no children (after a child,
    /// text is indentation and dropped).
    private mutating func appendText(_ write: (inout [UInt8]) -> Void) {
        guard open[open.count - 1].children.isEmpty else { return }
        write(&open[open.count - 1].text)
    }
}
