@testable import AWSProvider
import Foundation
import Testing
import TestSupport

/// Our signer against botocore's on realistic requests of the coming AWS provider: the same
/// request signed by both at the same instant must give the same bytes.
struct BotocoreCrossCheckTests {
    struct Example: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var method: String
        var url: String
        var headers: [(name: String, value: String)] = []
        var body = ""
        var service: String
        var region: String
        var sessionToken: String? = nil
        /// Presigned with this lifetime in seconds when set.
        var expires: Int? = nil
    }

    static let accessKeyId = "AKIAIOSFODNN7EXAMPLE"
    static let secretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    static let sessionToken = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+example/token+with/slashes=="
    /// 2024-05-01T10:20:30Z.
    static let date = Date(timeIntervalSince1970: 1_714_558_830)

    static let headerExamples: [Example] = [
        Example(testDescription: "EKS DescribeCluster with a session token", method: "GET",
                url: "https://eks.us-west-2.amazonaws.com/clusters/demo", headers: [("Accept", "application/json")],
                service: "eks", region: "us-west-2", sessionToken: sessionToken),
        Example(testDescription: "EKS CreateCluster with a JSON body", method: "POST", url: "https://eks.us-west-2.amazonaws.com/clusters",
                headers: [("Content-Type", "application/json")],
                body: #"{"name":"demo","version":"1.30","roleArn":"arn:aws:iam::123456789012:role/eks-cluster","#
                    + #""resourcesVpcConfig":{"subnetIds":["subnet-0a1b2c3d","subnet-4e5f6a7b"]},"clientRequestToken":"7c1d"}"#,
                service: "eks", region: "us-west-2"),
        Example(testDescription: "EC2 Query API DescribeInstances form body", method: "POST", url: "https://ec2.us-east-1.amazonaws.com/",
                headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                body: "Action=DescribeInstances&Version=2016-11-15", service: "ec2", region: "us-east-1"),
        Example(testDescription: "EKS ListTagsForResource with a percent-encoded ARN in the path", method: "GET",
                url: "https://eks.eu-central-1.amazonaws.com/tags/arn%3Aaws%3Aeks%3Aeu-central-1%3A123456789012%3Acluster%2Fdemo",
                service: "eks", region: "eu-central-1", sessionToken: sessionToken),
        Example(testDescription: "EKS ListClusters with a paging query, padded and unsigned headers", method: "GET",
                url: "https://eks.us-west-2.amazonaws.com/clusters?maxResults=10&nextToken=eyJhIjoiYiJ9%2Fx%3D%3D&include=all",
                headers: [("User-Agent", "cloud-agent/0.1"), ("X-Amz-Meta-Note", "  two   spaces  ")],
                service: "eks", region: "us-west-2"),
        Example(testDescription: "EKS on a LocalStack endpoint with a port", method: "GET", url: "http://localhost:4566/clusters/demo",
                service: "eks", region: "us-east-1"),
    ]

    static let presignExamples: [Example] = [
        Example(testDescription: "STS GetCallerIdentity presigned for an EKS token, with a session token", method: "GET",
                url: "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
                headers: [("x-k8s-aws-id", "demo")], service: "sts", region: "us-east-1", sessionToken: sessionToken, expires: 60),
        Example(testDescription: "STS GetCallerIdentity presigned for an EKS token, long-lived keys", method: "GET",
                url: "https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
                headers: [("x-k8s-aws-id", "prod-cluster")], service: "sts", region: "eu-west-1", expires: 60),
    ]

    func signer(_ example: Example) -> AWSSigner {
        AWSSigner(credentials: .init(accessKeyId: Self.accessKeyId, secretAccessKey: Self.secretAccessKey, sessionToken: example.sessionToken),
                  region: example.region, service: example.service)
    }

    func botocore(_ example: Example) async throws -> BotocoreSigner.Result {
        try await BotocoreSigner.sign(BotocoreSigner.Request(
            method: example.method, url: example.url, headers: example.headers.map { [$0.name, $0.value] }, body: example.body,
            service: example.service, region: example.region, accessKeyId: Self.accessKeyId, secretAccessKey: Self.secretAccessKey,
            sessionToken: example.sessionToken, timestamp: SigV4Timestamp(Self.date).dateTime, expires: example.expires))
    }

    @Test(arguments: headerExamples)
    func signedHeadersMatchBotocoresSigV4Auth(_ example: Example) async throws {
        let expected = try await botocore(example)
        let url = try #require(URL(string: example.url))
        let signing = signer(example).headerSigning(method: example.method, target: RequestTarget(url: url), headers: example.headers,
                                                    body: Array(example.body.utf8), date: Self.date)
        #expect(signing.canonicalRequest.text == expected.canonicalRequest)
        #expect(signing.stringToSign == expected.stringToSign)
        let headers = signer(example).signHeaders(method: example.method, url: url, headers: example.headers,
                                                  body: Array(example.body.utf8), date: Self.date)
        #expect(headers.map { [$0.name, $0.value] } == expected.headers)
        #expect(headers.last { $0.name == "Authorization" }?.value == expected.headers.last { $0.first == "Authorization" }?.last)
    }

    @Test(arguments: presignExamples)
    func presignedURLMatchesBotocoresSigV4QueryAuth(_ example: Example) async throws {
        let expected = try await botocore(example)
        let url = try #require(URL(string: example.url))
        let expires = try #require(example.expires)
        let signing = signer(example).querySigning(method: example.method, target: RequestTarget(url: url), headers: example.headers,
                                                   expiresSeconds: Int64(expires), date: Self.date)
        #expect(signing.canonicalRequest.text == expected.canonicalRequest)
        #expect(signing.stringToSign == expected.stringToSign)
        let presigned = signer(example).presignURL(method: example.method, url: url, headers: example.headers,
                                                   expires: .seconds(expires), date: Self.date)
        #expect(presigned.absoluteString == expected.url)
    }
}
