@testable import AWSProvider
import CloudCore
import CryptoPrimitives
import Foundation
import Testing

struct AWSSignerTests {
    static let credentials = AWSSigner.Credentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z

    func signer(_ options: AWSSigner.Options = .init(), token: String? = nil) -> AWSSigner {
        var credentials = Self.credentials
        credentials.sessionToken = token
        return AWSSigner(credentials: credentials, region: "us-east-1", service: "service", options: options)
    }

    func header(_ name: String, in headers: [(name: String, value: String)]) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    // MARK: - Published examples

    /// "Deriving the signing key" in the AWS documentation (IAM, 2012-02-15).
    @Test func signingKeyMatchesTheDocumentedDerivation() {
        let signer = AWSSigner(credentials: Self.credentials, region: "us-east-1", service: "iam")
        let day = Date(timeIntervalSince1970: 1_329_264_000)
        #expect(Hex.encode(signer.signingKey(date: day)) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
        #expect(signer.signingKey(date: day.addingTimeInterval(86_399)) == signer.signingKey(date: day))
        #expect(signer.signingKey(date: day.addingTimeInterval(86_400)) != signer.signingKey(date: day))
    }

    /// The query-string authentication example of the S3 documentation (GET test.txt,
    /// 2013-05-24, valid 86400 s), also what botocore's `S3SigV4QueryAuth` gives.
    @Test func s3PresignedURLMatchesTheDocumentedExample() throws {
        let signer = AWSSigner(credentials: .init(accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                               region: "us-east-1", service: "s3", options: AWSSigner.Options(path: .asSent, signsPayload: false))
        let url = try #require(URL(string: "https://examplebucket.s3.amazonaws.com/test.txt"))
        let presigned = signer.presignURL(method: "GET", url: url, expires: .seconds(86_400), date: Date(timeIntervalSince1970: 1_369_353_600))
        #expect(presigned.absoluteString == "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z"
            + "&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    // MARK: - Timestamps

    @Test func timestampsMatchFoundationsISO8601InUTC() {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        // Leap days, century years and year ends, then every 9999th hour over decades.
        var dates = [951_782_400.0, 951_868_799, 1_709_164_800, 946_684_799, 4_102_444_800, 0, 1_704_067_199]
        dates += stride(from: 0.0, to: 2_000_000_000, by: 9_999 * 3600)
        for seconds in dates {
            let date = Date(timeIntervalSince1970: seconds)
            let iso = formatter.string(from: date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
            #expect(SigV4Timestamp(date).dateTime == iso)
            #expect(SigV4Timestamp(date).day == String(iso.prefix(8)))
        }
    }

    @Test func fractionalSecondsRoundDown() {
        #expect(SigV4Timestamp(Date(timeIntervalSince1970: 1_440_938_160.999)).dateTime == "20150830T123600Z")
        #expect(SigV4Timestamp(Date(timeIntervalSince1970: -0.5)).dateTime == "19691231T235959Z")
    }

    // MARK: - URI encoding

    @Test func pathIsNormalisedThenEncodedOnceMore() {
        #expect(SigV4URIEncoding.canonicalPath("") == "/")
        #expect(SigV4URIEncoding.canonicalPath("/a/./b/../c//d/") == "/a/c/d/")
        #expect(SigV4URIEncoding.canonicalPath("/../..") == "/")
        #expect(SigV4URIEncoding.canonicalPath("/tags/arn%3Aaws%3Aeks%2Fdemo") == "/tags/arn%253Aaws%253Aeks%252Fdemo")
        #expect(SigV4URIEncoding.canonicalPath("/a b/~x-y_z.") == "/a%20b/~x-y_z.")
    }

    @Test func queryIsDecodedReencodedAndSortedByKeyThenValue() {
        #expect(SigV4URIEncoding.canonicalQuery("") == "")
        #expect(SigV4URIEncoding.canonicalQuery("b=2&a=2&a=1&c") == "a=1&a=2&b=2&c=")
        #expect(SigV4URIEncoding.canonicalQuery("empty=&flag") == "empty=&flag=")
        #expect(SigV4URIEncoding.canonicalQuery("k=a%2fb%3D&sp=a%20b&plus=a+b&raw=a b") == "k=a%2Fb%3D&plus=a%2Bb&raw=a%20b&sp=a%20b")
        #expect(SigV4URIEncoding.canonicalQuery("x=%zz&y=%4") == "x=%25zz&y=%254")
        #expect(SigV4URIEncoding.canonicalQuery("a=1&&b=2") == "a=1&b=2")
        // Byte order, not alphabetical: uppercase sorts before lowercase, `%` before letters.
        #expect(SigV4URIEncoding.canonicalQuery("b=1&B=1&%C3%A9=1") == "%C3%A9=1&B=1&b=1")
    }

    // MARK: - Host

    @Test(arguments: [
        ("https://EKS.us-east-1.amazonaws.com/clusters", "eks.us-east-1.amazonaws.com"),
        ("https://eks.us-east-1.amazonaws.com:443/clusters", "eks.us-east-1.amazonaws.com"),
        ("http://localhost:80/", "localhost"),
        ("http://localhost:4566/", "localhost:4566"),
        ("https://127.0.0.1:8443/", "127.0.0.1:8443"),
        ("http://[::1]:5000/", "[::1]:5000"),
    ])
    func hostIsSignedFromTheURLWithoutTheDefaultPort(url: String, host: String) throws {
        let target = RequestTarget(url: try #require(URL(string: url)))
        #expect(target.host == host)
        let signing = signer().headerSigning(method: "GET", target: target, headers: [], body: [], date: Self.date)
        #expect(signing.canonicalRequest.text.contains("\nhost:\(host)\n"))
    }

    @Test func givenHostHeaderWinsOverTheURL() throws {
        let url = try #require(URL(string: "http://127.0.0.1:9000/"))
        let signing = signer().headerSigning(method: "GET", target: RequestTarget(url: url), headers: [("Host", "eks.amazonaws.com")],
                                             body: [], date: Self.date)
        #expect(signing.canonicalRequest.text.contains("\nhost:eks.amazonaws.com\n"))
        #expect(!signing.canonicalRequest.text.contains("127.0.0.1"))
    }

    @Test func urlWithoutPathSignsSlash() throws {
        let url = try #require(URL(string: "https://sts.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"))
        let signing = signer().headerSigning(method: "get", target: RequestTarget(url: url), headers: [], body: [], date: Self.date)
        #expect(signing.canonicalRequest.text.hasPrefix("GET\n/\nAction=GetCallerIdentity&Version=2011-06-15\nhost:sts.amazonaws.com\n"))
    }

    // MARK: - Headers

    @Test func headersAreLowercasedTrimmedCollapsedJoinedAndSorted() {
        let headers = CanonicalHeaders([
            ("X-B", " second  value "), ("x-a", "1"), ("X-A", "\t2\t\t3 "), ("Host", "h"), ("User-Agent", "agent/1"),
            ("Authorization", "old"), ("Connection", "keep-alive"), ("X-Amzn-Trace-Id", "Root=1"),
        ])
        #expect(headers.text == "host:h\nx-a:1,2 3\nx-b:second value\n")
        #expect(headers.signedHeaders == "host;x-a;x-b")
    }

    @Test func resigningReplacesTheEarlierSignature() throws {
        let url = try #require(URL(string: "https://eks.us-east-1.amazonaws.com/clusters"))
        let first = signer(token: "token-1").signHeaders(method: "GET", url: url, headers: [("Accept", "application/json")],
                                                         date: Self.date)
        let again = signer(token: "token-2").signHeaders(method: "GET", url: url, headers: first, date: Self.date.addingTimeInterval(60))
        #expect(again.map(\.name) == ["Accept", "X-Amz-Date", "X-Amz-Security-Token", "Authorization"])
        #expect(header("X-Amz-Date", in: again) == ["20150830T123700Z"])
        #expect(header("X-Amz-Security-Token", in: again) == ["token-2"])
        #expect(header("Authorization", in: again).count == 1)
    }

    @Test func withoutSessionTokenNoTokenHeaderIsSent() throws {
        let url = try #require(URL(string: "https://eks.us-east-1.amazonaws.com/clusters"))
        let headers = signer().signHeaders(method: "GET", url: url, date: Self.date)
        #expect(headers.map(\.name) == ["X-Amz-Date", "Authorization"])
    }

    @Test func tokenAddedAfterSigningIsSentButNotSigned() throws {
        let url = try #require(URL(string: "https://example.amazonaws.com/"))
        let signing = signer(AWSSigner.Options(signsSessionToken: false), token: "secret-token")
            .headerSigning(method: "POST", target: RequestTarget(url: url), headers: [], body: [], date: Self.date)
        #expect(!signing.canonicalRequest.text.contains("x-amz-security-token"))
        #expect(signing.headers.map(\.name) == ["X-Amz-Date", "X-Amz-Security-Token", "Authorization"])
    }

    // MARK: - Payload

    @Test func contentHashHeaderIsSentWhenAskedAndSigned() throws {
        let url = try #require(URL(string: "https://bucket.s3.amazonaws.com/a//b/./c"))
        let body = Array("hello".utf8)
        let signing = signer(.s3).headerSigning(method: "PUT", target: RequestTarget(url: url), headers: [], body: body, date: Self.date)
        let hash = Hex.encode(SHA256.hash(body))
        #expect(header("x-amz-content-sha256", in: signing.headers) == [hash])
        let lines = signing.canonicalRequest.text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[1] == "/a//b/./c")  // S3: the path as sent
        #expect(lines.last.map(String.init) == hash)
        #expect(signing.canonicalRequest.signedHeaders == "host;x-amz-content-sha256;x-amz-date")
    }

    @Test func unsignedPayloadIsSignedAndAnnounced() throws {
        let url = try #require(URL(string: "https://bucket.s3.amazonaws.com/big"))
        let signing = signer(AWSSigner.Options(path: .asSent, signsPayload: false))
            .headerSigning(method: "PUT", target: RequestTarget(url: url), headers: [], body: Array(repeating: 1, count: 1000), date: Self.date)
        #expect(header("x-amz-content-sha256", in: signing.headers) == ["UNSIGNED-PAYLOAD"])
        #expect(signing.canonicalRequest.text.hasSuffix("\nUNSIGNED-PAYLOAD"))
    }

    @Test func givenContentHashHeaderIsTheSignedPayloadHash() throws {
        let url = try #require(URL(string: "https://bucket.s3.amazonaws.com/key"))
        let signing = signer().headerSigning(method: "PUT", target: RequestTarget(url: url),
                                             headers: [("X-Amz-Content-SHA256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")],
                                             body: Array("ignored".utf8), date: Self.date)
        #expect(signing.canonicalRequest.text.hasSuffix("\nSTREAMING-UNSIGNED-PAYLOAD-TRAILER"))
        #expect(header("x-amz-content-sha256", in: signing.headers) == ["STREAMING-UNSIGNED-PAYLOAD-TRAILER"])
    }

    // MARK: - Presigning

    @Test func presignedURLKeepsTheQueryAndEndsWithTheSignature() throws {
        let url = try #require(URL(string: "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"))
        let presigned = signer(token: "a/b+c=").presignURL(method: "GET", url: url, headers: [("x-k8s-aws-id", "demo")],
                                                           expires: .seconds(60), date: Self.date)
        let query = try #require(URLComponents(url: presigned, resolvingAgainstBaseURL: false)?.percentEncodedQuery)
        let names = query.split(separator: "&").map { String($0.split(separator: "=")[0]) }
        #expect(names == ["Action", "Version", "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                          "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature"])
        #expect(query.contains("&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&"))
        #expect(query.contains("&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&"))
        #expect(query.contains("&X-Amz-Security-Token=a%2Fb%2Bc%3D&"))
        #expect(query.contains("&X-Amz-Expires=60&"))
        #expect(presigned.path == "/")
    }

    @Test func presigningIsDeterministicAndDependsOnTheDate() throws {
        let url = try #require(URL(string: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15"))
        let first = signer().presignURL(method: "GET", url: url, expires: .seconds(900), date: Self.date)
        #expect(signer().presignURL(method: "GET", url: url, expires: .seconds(900), date: Self.date) == first)
        #expect(signer().presignURL(method: "GET", url: url, expires: .seconds(900), date: Self.date.addingTimeInterval(1)) != first)
    }

    // MARK: - Values

    @Test func credentialsNeverPrintTheirSecrets() {
        let text = String(describing: AWSSigner.Credentials(accessKeyId: "AKID", secretAccessKey: "SECRET", sessionToken: "TOKEN"))
        #expect(text.contains("AKID"))
        #expect(!text.contains("SECRET"))
        #expect(!text.contains("TOKEN"))
    }

    @Test func signingAnHTTPRequestSetsTheSignedHeaders() throws {
        let url = try #require(URL(string: "https://eks.us-east-1.amazonaws.com/clusters"))
        let request = HTTPRequest(method: "POST", url: url, headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
        let signed = signer(token: "t").signed(request, date: Self.date)
        #expect(signed.url == url && signed.method == "POST" && signed.body == request.body)
        #expect(signed.headers.map { [$0.name, $0.value] } == signer(token: "t").signHeaders(
            method: "POST", url: url, headers: request.headers, body: request.body, date: Self.date).map { [$0.name, $0.value] })
    }
}
