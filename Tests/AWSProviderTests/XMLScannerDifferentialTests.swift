import Foundation
import Testing
@testable import AWSProvider
#if canImport(FoundationXML)
import FoundationXML
#endif

/// `XMLScanner` against Foundation's `XMLParser` (libxml2), which `XMLTree` used before: the same
/// trees for a varied corpus, and the same refusals. Only this test target links FoundationXML.
struct XMLScannerDifferentialTests {
    static let accepted: [String] = [
        "<a/>",
        "<a>text</a>",
        #"<?xml version="1.0" encoding="UTF-8"?><a>x</a>"#,
        "<?xml version='1.0'?>\n<a>\n  <b>1</b>\n  <c>2</c>\n</a>\n",
        "<a>&lt;&gt;&amp;&quot;&apos;</a>",
        "<a>x &amp; y &lt;z&gt;</a>",
        "<a>&#65;&#x42;&#x0063;&#0068;</a>",
        "<a>&#xE9;&#233;&#x4E2D;&#x1F600;&#128512;</a>",
        "<a><![CDATA[<b>&amp;</b> ]] ]>]]></a>",
        "<a>before<![CDATA[ middle ]]>after</a>",
        "<a><![CDATA[]]></a>",
        "<a><![CDATA[   ]]></a>",
        "<!-- head --><a><!-- in -->x<!-- - -->y</a><!-- tail -->",
        "<?pi data?><a><?inner x?>v</a><?tail end?>",
        #"<a xmlns="urn:a"><b>1</b></a>"#,
        #"<p:a xmlns:p="urn:p"><p:b>1</p:b><c>2</c></p:a>"#,
        #"<sts:AssumeRoleResponse xmlns:sts="https://sts.amazonaws.com/doc/2011-06-15/"><sts:Result><Arn>arn</Arn></sts:Result></sts:AssumeRoleResponse>"#,
        #"<a x="1" y='2' z="&amp;&#65;'"><b q='"'/></a>"#,
        "<a>  two spaces  </a>",
        "<a> \t\n </a>",
        "<a>\n</a>",
        "<a>x<b>y</b>z</a>",
        "<a>\n\t<b/>\n\t<c></c>\n</a>",
        "<a>1\r\n2\r3</a>",
        "<a><![CDATA[1\r\n2]]>&#13;&#10;</a>",
        "<a><![CDATA[x\ry\r]]>\r</a>",
        "<a>&#160;</a>",
        "<a>héllo wörld 日本語 😀</a>",
        "<ñ><ü>ß</ü></ñ>",
        "<a>]]&gt; ] > ]]</a>",
        "<a>\"quoted\" 'single'</a>",
        "\u{FEFF}<a>bom</a>",
        "<a></a >",
        "<a><b><c><d><e>deep</e></d></c></b></a>",
        "<a-b.c_d1 x-y.z=\"1\"><_e/></a-b.c_d1>",
        "<a\tx=\"1\"\n\ty = '>'\r\n/>",
        "<a>a&amp;&amp;b&#x20;</a>",
        "<a>&#x20;&#9;&#10;</a>",
        "<a>\r\n</a>",
        "<a><![CDATA[]]]]><![CDATA[>]]></a>",
        "<a>&#x10FFFF;&#xFFFD;&#xE000;</a>",
        "<a><!-- only a comment --></a>",
        "<a>x</a>\n<!-- c -->\n<?pi d?>\n",
        "<a>\u{A0}x\u{2028}</a>",
        "<a><:b/><c:/><d::e/></a>",
        "<a>\u{FEFF}]]\u{200B}</a>",
        "<a><![CDATA[x]]]></a><!---->",
        "<a><!-- x- --><?p  d  ?></a>",
        String(repeating: "<a>", count: 256) + "x" + String(repeating: "</a>", count: 256),
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
          <requestId>r-1</requestId>
          <reservationSet>
            <item>
              <instancesSet>
                <item><instanceId>i-1</instanceId><tagSet><item><key>Name</key><value>web &amp; caf\u{E9}</value></item></tagSet></item>
                <item><instanceId>i-2</instanceId><tagSet/></item>
              </instancesSet>
            </item>
          </reservationSet>
        </DescribeInstancesResponse>
        """,
        """
        <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
          <Error><Type>Sender</Type><Code>AccessDenied</Code><Message>Not authorized &quot;x&quot;</Message></Error>
          <RequestId>id-1</RequestId>
        </ErrorResponse>
        """,
    ]

    /// Refused by both. `XMLParser` runs libxml2 in recovery mode and so reads much that is not
    /// well-formed, which `XMLScanner` refuses on purpose (see `XMLScannerTests`); left out here for
    /// that: a second root or text after it, `</ a>`, some mismatched end tags, nesting deeper
    /// than 256, a DOCTYPE, a declared encoding other than UTF-8. Left out
    /// too: processing instructions without data (`<?pi?>`), which crash `XMLParser`.
    static let refused: [String] = [
        "", "   ", "text", "<a>", "<a></b>", "<a><b></a></b>", "</a>", "x<a/>", "<a>&nbsp;</a>", "<a>&#0;</a>", "<a>&#x0;</a>",
        "<a>&#xD800;</a>", "<a>&#x110000;</a>", "<a>&#xFFFE;</a>", "<a>&#X41;</a>", "<a>&amp</a>", "<a>& b</a>", "<a>]]></a>",
        "<a><![CDATA[x</a>", #"<a x="1" x="2"/>"#, "<a x=1/>", #"<a x="<"/>"#, "<a x='1'/ >", "<a/ >", "<a></b >", "<1a/>",
        "<a><!-- a -- b --></a>", "<a><!-- x ---></a>", "<a><!---></a>", "<a><!--x--->y--></a>", "<a><!-- open</a>", "<a>x</a><!-- c --",
        "<a>\u{1}</a>", "<a>\u{FFFF}</a>", "\u{FEFF}\u{FEFF}<a/>", #" <?xml version="1.0"?><a/>"#, #"<?xml version="1.0" standalone="maybe"?><a/>"#,
        "<a><?xml x?></a>", "<a><?XML x?></a>", "<a><?p?d?></a>",
    ]

    @Test(arguments: accepted)
    func sameTreeAsXMLParser(_ document: String) throws {
        let expected = try #require(Self.foundationTree(Array(document.utf8)), "XMLParser refuses it")
        #expect(XMLTree.parse(Array(document.utf8)) == expected)
    }

    @Test(arguments: refused)
    func refusedLikeXMLParser(_ document: String) {
        #expect(Self.foundationTree(Array(document.utf8)) == nil, "XMLParser reads it")
        #expect(XMLTree.parse(Array(document.utf8)) == nil)
    }

    @Test func theCorpusIsVaried() {
        #expect(Self.accepted.count >= 20 && Self.refused.count >= 20)
    }

    /// The tree `XMLTree.parse` built when it used `XMLParser`.
    static func foundationTree(_ bytes: [UInt8]) -> XMLTree? {
        let parser = XMLParser(data: Data(bytes))
        let builder = Builder()
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [XMLTree] = []
        var root: XMLTree?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            stack.append(XMLTree(name: local, text: "", children: []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: block, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard var element = stack.popLast() else { return }
            if !element.children.isEmpty || element.text.allSatisfy(\.isWhitespace) { element.text = "" }
            if stack.isEmpty {
                root = element
            } else {
                stack[stack.count - 1].children.append(element)
            }
        }
    }
}
