import Foundation
import Testing
@testable import AWSProvider

/// The small XML reader of the Query API responses.
struct XMLTreeTests {
    @Test func leavesKeepTheirTextAndIndentationIsDropped() throws {
        let tree = try #require(XMLTree.parse(Array("""
            <DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
              <requestId>r-1</requestId>
              <tagSet>
                <item><key>note</key><value>  two spaces  </value></item>
                <item><key>script</key><value><![CDATA[echo "<hi>" & exit]]></value></item>
                <item><key>empty</key><value>
                </value></item>
              </tagSet>
            </DescribeInstancesResponse>
            """.utf8)))
        #expect(tree.name == "DescribeInstancesResponse" && tree.text.isEmpty)
        #expect(tree.string("requestId") == "r-1")
        let values = tree.child("tagSet")?.children.map { $0.child("value")?.text }
        #expect(values == ["  two spaces  ", #"echo "<hi>" & exit"#, ""])
    }

    @Test func notXMLIsNil() {
        #expect(XMLTree.parse(Array("{\"json\": true}".utf8)) == nil)
        #expect(XMLTree.parse([]) == nil)
    }
}
