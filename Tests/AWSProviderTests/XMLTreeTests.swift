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

    @Test func anEC2DescribeInstancesResponseReadsAsNestedItems() throws {
        let tree = try #require(XMLTree.parse(Array(describeInstancesResponse.utf8)))
        #expect(tree.name == "DescribeInstancesResponse" && tree.text.isEmpty)
        #expect(tree.string("requestId") == "8f7724cf-496f-496e-8fe3-example" && tree.string("nextToken") == "eyJ2IjoiMiIsImMiOiJ0b2tlbiJ9")
        let reservations = tree.items("reservationSet")
        #expect(reservations.map { $0.string("reservationId") } == ["r-1234567890abcdef0", "r-0598c7d356eba48d7"])
        #expect(reservations.flatMap { $0.items("instancesSet") }.map { $0.string("instanceId") }
            == ["i-1234567890abcdef0", "i-0598c7d356eba48d7", "i-0bb3a9a8a5d1d06a2"])
        let first = try #require(reservations.first?.items("instancesSet").first)
        #expect(first.string("instanceState", "name") == "running" && first.string("placement", "availabilityZone") == "eu-west-1c")
        #expect(first.items("groupSet").map { $0.string("groupId") } == ["sg-e4076980"])
        #expect(first.items("tagSet").map { $0.string("value") } == ["web server & caf\u{E9}", "platform"])
        #expect(reservations.first?.at("groupSet") == XMLTree(name: "groupSet", text: "", children: []))
        #expect(EC2Instance.all(in: tree).map(\.state) == ["running", "stopped", "terminated"])
    }

    @Test func anSTSAssumeRoleResponseDropsNamespacePrefixes() throws {
        let tree = try #require(XMLTree.parse(Array("""
            <?xml version="1.0" encoding="UTF-8"?>
            <sts:AssumeRoleResponse xmlns:sts="https://sts.amazonaws.com/doc/2011-06-15/" xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleResult>
                <sts:AssumedRoleUser>
                  <Arn>arn:aws:sts::123456789012:assumed-role/demo/John</Arn>
                </sts:AssumedRoleUser>
                <Credentials>
                  <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
                  <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
                  <SessionToken>AQoDYXdzEPT//////////wEXAMPLE+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==</SessionToken>
                  <sts:Expiration>2019-11-09T13:34:41Z</sts:Expiration>
                </Credentials>
              </AssumeRoleResult>
              <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
            </sts:AssumeRoleResponse>
            """.utf8)))
        #expect(tree.name == "AssumeRoleResponse")
        #expect(tree.string("AssumeRoleResult", "AssumedRoleUser", "Arn") == "arn:aws:sts::123456789012:assumed-role/demo/John")
        #expect(tree.string("ResponseMetadata", "RequestId") == "c6104cbe-af31-11e0-8154-cbc7ccf896c7")
        let credentials = try STSClient.credentials(in: tree, action: "AssumeRole")
        #expect(credentials.accessKeyId == "ASIAIOSFODNN7EXAMPLE" && credentials.sessionToken?.hasSuffix("oLxBA==") == true)
        #expect(credentials.expiration?.timeIntervalSince1970 == 1_573_306_481)
    }

    @Test func notXMLIsNil() {
        #expect(XMLTree.parse(Array("{\"json\": true}".utf8)) == nil)
        #expect(XMLTree.parse([]) == nil)
    }
}
