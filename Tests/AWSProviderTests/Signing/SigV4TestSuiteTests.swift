@testable import AWSProvider
import CryptoPrimitives
import Foundation
import Testing

struct SigV4TestSuiteTests {
    @Test func everyCaseOfTheSuiteIsListed() {
        #expect(Set(SigV4SuiteCase.all.map(\.path)) == SigV4TestSuite.discoveredCases())
        #expect(SigV4SuiteCase.all.count == 34)
    }

    @Test func suiteDateFormatsAsItsAmzDate() {
        #expect(SigV4Timestamp(SigV4TestSuite.date).dateTime == "20150830T123600Z")
        #expect(SigV4Timestamp(SigV4TestSuite.date).day == "20150830")
    }

    /// Signs the raw request (path and query as the request line writes them) the way
    /// `signHeaders` does, and compares every intermediate result with the suite's files.
    @Test(arguments: SigV4SuiteCase.all)
    func signingTheRawRequestGivesTheSuitesCanonicalRequestStringToSignAndAuthorization(_ suiteCase: SigV4SuiteCase) throws {
        let request = try suiteCase.request()
        let signing = suiteCase.signer.headerSigning(
            method: request.method, target: RequestTarget(host: nil, path: request.path, query: request.query),
            headers: request.headers, body: request.body, date: SigV4TestSuite.date)
        #expect(signing.canonicalRequest.text == (try suiteCase.expected("creq")))
        #expect(signing.stringToSign == (try suiteCase.expected("sts")))
        #expect(signing.authorization == (try suiteCase.expected("authz")))

        #expect(signing.headers.last?.name == "Authorization")
        #expect(signing.headers.last?.value == (try suiteCase.expected("authz")))
        #expect(signing.headers.filter { $0.name.lowercased() == "x-amz-date" }.map(\.value) == ["20150830T123600Z"])
        let tokens = signing.headers.filter { $0.name.lowercased() == "x-amz-security-token" }.map(\.value)
        #expect(tokens == (suiteCase.sessionToken.map { [$0] } ?? []))
    }

    /// The same through the public steps, given the headers the request is sent with.
    @Test(arguments: SigV4SuiteCase.all)
    func publicStepsReproduceTheSuiteFromTheSignedHeaders(_ suiteCase: SigV4SuiteCase) throws {
        let request = try suiteCase.request()
        let signer = suiteCase.signer
        var headers = request.headers
        if let token = suiteCase.sessionToken, suiteCase.signsSessionToken,
           !headers.contains(where: { $0.name.lowercased() == "x-amz-security-token" }) {
            headers.append(("X-Amz-Security-Token", token))
        }
        let canonical = signer.canonicalRequest(method: request.method, path: request.path, query: request.query,
                                                headers: headers, payloadHash: Hex.encode(SHA256.hash(request.body)))
        #expect(canonical.text == (try suiteCase.expected("creq")))
        let stringToSign = signer.stringToSign(canonicalRequest: canonical, date: SigV4TestSuite.date)
        #expect(stringToSign == (try suiteCase.expected("sts")))
        let authz = try suiteCase.expected("authz")
        #expect(authz.hasSuffix("Signature=" + signer.signature(stringToSign: stringToSign, date: SigV4TestSuite.date)))
        #expect(signer.authorization(canonicalRequest: canonical, date: SigV4TestSuite.date) == authz)
    }

    /// Raw request lines that `URL` cannot hold as they are: it percent-encodes the raw
    /// character, so the request actually sent is not the suite's and the service sees (and
    /// signs) the path encoded once more, as botocore signs it too.
    static let pathsURLEncodes: [String: String] = [
        "get-utf8": "/%25E1%2588%25B4",  // raw UTF-8 in the path
        "normalize-path/get-space": "/example%2520space/",  // a raw space in the path
    ]

    /// The public `URL` entry point, with `Host` left for the signer to take from the URL.
    @Test(arguments: SigV4SuiteCase.all)
    func signingTheURLGivesTheSuitesAuthorization(_ suiteCase: SigV4SuiteCase) throws {
        let request = try suiteCase.request()
        let target = request.query.isEmpty ? request.path : "\(request.path)?\(request.query)"
        let url = try #require(URL(string: "https://example.amazonaws.com" + target))
        let headers = request.headers.filter { $0.name.lowercased() != "host" }
        let signed = suiteCase.signer.signHeaders(method: request.method, url: url, headers: headers, body: request.body,
                                                  date: SigV4TestSuite.date)
        let authorization = signed.last { $0.name == "Authorization" }?.value
        if let encodedPath = Self.pathsURLEncodes[suiteCase.path] {
            let signing = suiteCase.signer.headerSigning(method: request.method, target: RequestTarget(url: url), headers: headers,
                                                         body: request.body, date: SigV4TestSuite.date)
            #expect(signing.canonicalRequest.text.split(separator: "\n")[1] == encodedPath)
            #expect(authorization != (try suiteCase.expected("authz")))
        } else {
            #expect(authorization == (try suiteCase.expected("authz")))
        }
    }
}
