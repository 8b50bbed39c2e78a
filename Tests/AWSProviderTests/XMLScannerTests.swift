import Testing
@testable import AWSProvider

/// What `XMLScanner` reads, construct by construct, and what it refuses.
struct XMLScannerTests {
    private func parse(_ text: String) -> XMLTree? { XMLTree.parse(Array(text.utf8)) }
    private func leaf(_ name: String, _ text: String = "") -> XMLTree { XMLTree(name: name, text: text, children: []) }
    private func node(_ name: String, _ children: XMLTree...) -> XMLTree { XMLTree(name: name, text: "", children: children) }

    @Test func declarationByteOrderMarkAndProcessingInstructionsAreSkipped() {
        #expect(parse(#"<?xml version="1.0" encoding="UTF-8"?><a>x</a>"#) == leaf("a", "x"))
        #expect(parse("<?xml version='1.1' encoding='utf-8' standalone='yes' ?>\n<?style x?>\n<a><?pi data?>x<?pi?>y</a>\n<?after it?>")
            == leaf("a", "xy"))
        #expect(XMLTree.parse([0xEF, 0xBB, 0xBF] + Array("<a>x</a>".utf8)) == leaf("a", "x"))
        #expect(parse("<?xml-stylesheet href='a'?><a/>") == leaf("a"))
    }

    @Test(arguments: [
        "<?xml?><a/>", #"<?xml encoding="UTF-8"?><a/>"#, #"<?xml version="2.0"?><a/>"#, #"<?xml version="1.0" encoding="ISO-8859-1"?><a/>"#,
        #" <?xml version="1.0"?><a/>"#, #"<a/><?xml version="1.0"?>"#, "<a><?XmL x?></a>", #"<?xml version="1.0" standalone="maybe"?><a/>"#,
        #"<?xml version="1.0"encoding="UTF-8"?><a/>"#, #"<?xml version="1.0"><a/>"#, "<a><?pi</a>", "<a><??></a>", "<a><?pi-x?></a", "<a><?pix</a>",
    ])
    func refusedDeclarationsAndInstructions(_ document: String) {
        #expect(parse(document) == nil)
    }

    @Test func commentsAreSkippedAnywhere() {
        #expect(parse("<!-- before --><a>x<!-- - in - -->y<!---->z</a><!-- after -->\n") == leaf("a", "xyz"))
        #expect(parse("<a><!-- <b>not an element</b> &nope; --></a>") == leaf("a"))
    }

    @Test(arguments: ["<a><!-- a -- b --></a>", "<a><!-- x ---></a>", "<a><!-- open</a>", "<a><!- x --></a>", "<!-- open<a/>"])
    func refusedComments(_ document: String) {
        #expect(parse(document) == nil)
    }

    /// AWS never sends a DOCTYPE; refusing every one leaves no entity to expand.
    @Test(arguments: [
        "<!DOCTYPE a><a/>",
        #"<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>"#,
        #"<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>"#,
        "<a><!DOCTYPE a></a>", "<a><!ELEMENT a ANY></a>",
    ])
    func doctypesAreRefused(_ document: String) {
        #expect(parse(document) == nil)
    }

    @Test func attributesAreCheckedButNotKept() {
        #expect(parse(#"<a x="1" y='2' z = "a&amp;b&#65;'>" w='"'>t</a>"#) == leaf("a", "t"))
        #expect(parse(#"<a xmlns="urn:x" xmlns:p="urn:p" p:x="1"/>"#) == leaf("a"))
    }

    @Test(arguments: [
        #"<a x="1" x="2"/>"#, "<a x=1/>", #"<a x="1"y="2"/>"#, #"<a x="<"/>"#, #"<a x="&nope;"/>"#, #"<a x="&"/>"#, #"<a x="1/>"#,
        #"<a x/>"#, #"<a ="1"/>"#, #"<a x="1' />"#, "<a x='1\"/>",
    ])
    func refusedAttributes(_ document: String) {
        #expect(parse(document) == nil)
    }

    @Test func selfClosingAndEndTags() {
        #expect(parse("<a><b/><c /><d></d ><e>\n</e></a>") == node("a", leaf("b"), leaf("c"), leaf("d"), leaf("e")))
        #expect(parse("<a/>") == leaf("a"))
    }

    @Test(arguments: [
        "<a></b>", "<a><b></a></b>", "</a>", "<a></ a>", "< a/>", "<a>", "<a><b></b>", "<a/ >", "<a></a b>", "<a></a", "<p:a></q:a>", "<p:a></a>",
        "<1a/>", "<-a/>", "<a></A>",
    ])
    func refusedTags(_ document: String) {
        #expect(parse(document) == nil)
    }

    @Test func namespacePrefixesAreDropped() {
        #expect(parse(#"<s:a xmlns:s="urn:s"><s:b>x</s:b><c/></s:a>"#) == node("a", leaf("b", "x"), leaf("c")))
        #expect(parse("<p:q:r/>")?.name == "r")
    }

    @Test func entitiesAndCharacterReferences() {
        #expect(parse("<a>&lt;&gt;&amp;&quot;&apos;</a>") == leaf("a", #"<>&"'"#))
        #expect(parse("<a>&#65;&#x42;&#x0043;&#0068;&#xe9;&#XE9;</a>") == nil)
        #expect(parse("<a>&#65;&#x42;&#x0043;&#0068;&#xe9;&#xE9;</a>") == leaf("a", "ABCDéé"))
        #expect(parse("<a>&#x1F600;&#128512;&#x10FFFF;</a>") == leaf("a", "😀😀\u{10FFFF}"))
        #expect(parse("<a>&amp;lt;</a>") == leaf("a", "&lt;"))
    }

    @Test(arguments: [
        "<a>&nbsp;</a>", "<a>&#;</a>", "<a>&#x;</a>", "<a>&#X41;</a>", "<a>&#0;</a>", "<a>&#1;</a>", "<a>&#xD800;</a>", "<a>&#xFFFE;</a>",
        "<a>&#x110000;</a>", "<a>&#99999999999999999999;</a>", "<a>&amp</a>", "<a>& b</a>", "<a>&#65</a>", "<a>&#x4G;</a>", "<a>&AMP;</a>", "<a>&</a>",
    ])
    func refusedReferences(_ document: String) {
        #expect(parse(document) == nil)
    }

    @Test func cdataIsKeptVerbatim() {
        #expect(parse("<a><![CDATA[<b>&amp; ]] ]>]]></a>") == leaf("a", "<b>&amp; ]] ]>"))
        #expect(parse("<a>x<![CDATA[]]>y<![CDATA[ ]]></a>") == leaf("a", "xy "))
        #expect(parse("<a><![CDATA[  ]]></a>") == leaf("a"))
    }

    @Test(arguments: ["<a>]]></a>", "<a>x]]>y</a>", "<a><![CDATA[x</a>", "<a><![CDATA[x]]</a>", "<![CDATA[x]]><a/>", "<a/><![CDATA[x]]>", "<a><![cdata[x]]></a>"])
    func refusedCDATA(_ document: String) {
        #expect(parse(document) == nil)
    }

    @Test func multiByteTextAndNames() {
        #expect(parse("<ñame>héllo wörld 日本語 😀</ñame>") == leaf("ñame", "héllo wörld 日本語 😀"))
        #expect(parse("<a>]]&gt; ] > ]]</a>") == leaf("a", "]]> ] > ]]"))
    }

    @Test(arguments: [
        [0xFF], [0x3C, 0x61, 0x3E, 0xC3, 0x3C, 0x2F, 0x61, 0x3E], [0x3C, 0x61, 0x3E, 0xC0, 0xAF, 0x3C, 0x2F, 0x61, 0x3E],
        [0x3C, 0x61, 0x3E, 0xED, 0xA0, 0x80, 0x3C, 0x2F, 0x61, 0x3E], [0x3C, 0x61, 0x3E, 0xF4, 0x90, 0x80, 0x80, 0x3C, 0x2F, 0x61, 0x3E],
        Array("<a>\u{1}</a>".utf8), Array("<a>\u{FFFE}</a>".utf8), Array("<a>\0</a>".utf8), [0xFE, 0xFF, 0x00, 0x3C, 0x00, 0x61, 0x00, 0x2F, 0x00, 0x3E],
    ] as [[UInt8]])
    func refusedBytes(_ bytes: [UInt8]) {
        #expect(XMLTree.parse(bytes) == nil)
    }

    @Test func lineEndsAreReadAsLineFeeds() {
        #expect(parse("<a>1\r\n2\r3\n\r4</a>") == leaf("a", "1\n2\n3\n\n4"))
        #expect(parse("<a>x&#13;&#10;y&#13;</a>") == leaf("a", "x\r\ny\r"))
        // CDATA keeps them, as XMLParser (libxml2) did.
        #expect(parse("<a><![CDATA[1\r\n2\r3]]></a>") == leaf("a", "1\r\n2\r3"))
    }

    @Test func whitespaceOnlyTextAndTextAroundChildrenAreDropped() {
        #expect(parse("<a> \t\r\n </a>") == leaf("a"))
        #expect(parse("<a> x </a>") == leaf("a", " x "))
        #expect(parse("<a>&#160;&#x2003;</a>") == leaf("a"))
        #expect(parse("<a>x<b>y</b>z</a>") == node("a", leaf("b", "y")))
        #expect(parse("<a>\n  <b/>\n</a>") == node("a", leaf("b")))
    }

    @Test(arguments: [
        "", " ", "<!-- only -->", "<?pi only?>", "x", "<a/><b/>", "<a/>x", "x<a/>", "&amp;<a/>", "<a/>&amp;", "\u{A0}<a/>", "<a/>\u{A0}",
        "<a></a><a></a>", "<a/></a>",
    ])
    func refusedDocuments(_ document: String) {
        #expect(parse(document) == nil)
    }

    @Test func nestingDeeperThanTheLimitIsRefused() {
        func nested(_ depth: Int) -> String { String(repeating: "<a>", count: depth) + "x" + String(repeating: "</a>", count: depth) }
        #expect(parse(nested(XMLScanner.maximumDepth)) != nil)
        #expect(parse(nested(XMLScanner.maximumDepth + 1)) == nil)
        #expect(parse(String(repeating: "<a>", count: 1_000_000)) == nil)
        #expect(parse(String(repeating: "<a><b/>", count: 300) + String(repeating: "</a>", count: 300)) == nil)
    }

    @Test func everyProperPrefixOfADocumentIsRefused() throws {
        let document = Array(("\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c --><?pi d?>\n"
            + #"<p:r xmlns:p="urn:p" a='1' b="&amp;&#x41;"><x>t&lt;é😀&#128512;</x><y/><z><![CDATA[<c>]]></z></p:r>"#).utf8)
        let tree = try #require(XMLTree.parse(document))
        #expect(tree == node("r", leaf("x", "t<é😀😀"), leaf("y"), leaf("z", "<c>")))
        for length in 0..<document.count {
            #expect(XMLTree.parse(Array(document.prefix(length))) == nil, "prefix of \(length) bytes")
        }
    }
}
