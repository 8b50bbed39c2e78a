@testable import AWSProvider
import Foundation
import Testing

/// The official AWS Signature Version 4 test suite (2019, as shipped in botocore's tests),
/// copied to `Vectors/aws-sigv4-testsuite`: per case a raw request (`.req`), its canonical
/// request (`.creq`), string to sign (`.sts`) and `Authorization` value (`.authz`).
enum SigV4TestSuite {
    /// The suite's fixed signing context (see its `.sts` files and `post-sts-token/readme.txt`).
    static let credentials = AWSSigner.Credentials(accessKeyId: "AKIDEXAMPLE",
                                                   secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let region = "us-east-1"
    static let service = "service"
    /// 2015-08-30T12:36:00Z, the `X-Amz-Date` of every case.
    static let date = Date(timeIntervalSince1970: 1_440_938_160)
    /// The token of the `post-sts-token` cases (`post-sts-token/readme.txt`).
    static let stsToken = """
        AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/\
        qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT\
        38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==
        """

    /// The folder the suite was copied to inside the test bundle.
    static var directory: URL {
        guard let url = Bundle.module.url(forResource: "Vectors/aws-sigv4-testsuite", withExtension: nil) else {
            fatalError("Vectors/aws-sigv4-testsuite is missing from the test bundle")
        }
        return url
    }

    /// Every case folder of the suite (relative paths such as `normalize-path/get-slash`),
    /// found by its `.req` file.
    static func discoveredCases() -> Set<String> {
        let root = directory.standardizedFileURL.path
        let walker = FileManager.default.enumerator(atPath: root)
        var found: Set<String> = []
        while let relative = walker?.nextObject() as? String {
            guard relative.hasSuffix(".req") else { continue }
            found.insert(String(relative.split(separator: "/").dropLast().joined(separator: "/")))
        }
        return found
    }
}

/// One case of the suite and what it needs beyond its raw request.
struct SigV4SuiteCase: Sendable, CustomTestStringConvertible {
    /// Relative folder, e.g. `normalize-path/get-slash`.
    var path: String
    /// The session token the case signs with, when it has one.
    var sessionToken: String? = nil
    /// False for the one case whose token is added after signing.
    var signsSessionToken = true

    var testDescription: String { path }

    var name: String { String(path.split(separator: "/").last ?? "") }

    /// Every case of the suite, each run in full. None is excluded: the suite's only caveat
    /// (`normalize-path/normalize-path.txt`) is that S3 does not normalise paths, and these
    /// cases sign for a service that does.
    static let all: [SigV4SuiteCase] = [
        SigV4SuiteCase(path: "get-header-key-duplicate"),
        SigV4SuiteCase(path: "get-header-value-multiline"),
        SigV4SuiteCase(path: "get-header-value-order"),
        SigV4SuiteCase(path: "get-header-value-trim"),
        SigV4SuiteCase(path: "get-unreserved"),
        SigV4SuiteCase(path: "get-utf8"),
        SigV4SuiteCase(path: "get-vanilla"),
        SigV4SuiteCase(path: "get-vanilla-empty-query-key"),
        SigV4SuiteCase(path: "get-vanilla-query"),
        SigV4SuiteCase(path: "get-vanilla-query-order-encoded"),
        SigV4SuiteCase(path: "get-vanilla-query-order-key"),
        SigV4SuiteCase(path: "get-vanilla-query-order-key-case"),
        SigV4SuiteCase(path: "get-vanilla-query-order-value"),
        SigV4SuiteCase(path: "get-vanilla-query-unreserved"),
        SigV4SuiteCase(path: "get-vanilla-utf8-query"),
        // Its .req carries no token; .creq and .sreq show this value (the .sreq's Authorization
        // line is a copy of get-vanilla's, but .creq, .sts and .authz agree with each other).
        SigV4SuiteCase(path: "get-vanilla-with-session-token",
                       sessionToken: "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"),
        SigV4SuiteCase(path: "normalize-path/get-relative"),
        SigV4SuiteCase(path: "normalize-path/get-relative-relative"),
        SigV4SuiteCase(path: "normalize-path/get-slash"),
        SigV4SuiteCase(path: "normalize-path/get-slash-dot-slash"),
        SigV4SuiteCase(path: "normalize-path/get-slash-pointless-dot"),
        SigV4SuiteCase(path: "normalize-path/get-slashes"),
        SigV4SuiteCase(path: "normalize-path/get-space"),
        SigV4SuiteCase(path: "normalize-path/get-special-character"),
        SigV4SuiteCase(path: "post-header-key-case"),
        SigV4SuiteCase(path: "post-header-key-sort"),
        SigV4SuiteCase(path: "post-header-value-case"),
        SigV4SuiteCase(path: "post-sts-token/post-sts-header-after", sessionToken: SigV4TestSuite.stsToken, signsSessionToken: false),
        SigV4SuiteCase(path: "post-sts-token/post-sts-header-before", sessionToken: SigV4TestSuite.stsToken),
        SigV4SuiteCase(path: "post-vanilla"),
        SigV4SuiteCase(path: "post-vanilla-empty-query-value"),
        SigV4SuiteCase(path: "post-vanilla-query"),
        SigV4SuiteCase(path: "post-x-www-form-urlencoded"),
        SigV4SuiteCase(path: "post-x-www-form-urlencoded-parameters"),
    ]

    var signer: AWSSigner {
        var credentials = SigV4TestSuite.credentials
        credentials.sessionToken = sessionToken
        return AWSSigner(credentials: credentials, region: SigV4TestSuite.region, service: SigV4TestSuite.service,
                         options: AWSSigner.Options(signsSessionToken: signsSessionToken))
    }

    /// The text of this case's file with `fileExtension` (`creq`, `sts`, `authz`), as is.
    func expected(_ fileExtension: String) throws -> String {
        let url = SigV4TestSuite.directory.appendingPathComponent(path).appendingPathComponent("\(name).\(fileExtension)")
        return String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    func request() throws -> RawHTTPRequest {
        let url = SigV4TestSuite.directory.appendingPathComponent(path).appendingPathComponent("\(name).req")
        return try RawHTTPRequest(parsing: Array(try Data(contentsOf: url)))
    }
}

/// A request as the suite's `.req` files write it: request line, header lines (a line that
/// starts with whitespace continues the previous header), an empty line and the body.
struct RawHTTPRequest: Sendable {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    var method: String
    /// The path of the request line, as written (not percent-encoded when the suite writes
    /// raw UTF-8 or spaces).
    var path: String
    var query: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    init(parsing bytes: [UInt8]) throws {
        var head = bytes[...]
        body = []
        if let split = (0..<max(0, bytes.count - 1)).first(where: { bytes[$0] == 0x0a && bytes[$0 + 1] == 0x0a }) {
            head = bytes[..<split]
            body = Array(bytes[(split + 2)...])
        }
        let lines = String(decoding: head, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        guard let requestLine = lines.first, let firstSpace = requestLine.firstIndex(of: " "),
              let lastSpace = requestLine.lastIndex(of: " "), firstSpace < lastSpace else {
            throw Malformed(description: "no request line 'METHOD TARGET HTTP/1.1'")
        }
        method = String(requestLine[..<firstSpace])
        let target = requestLine[requestLine.index(after: firstSpace)..<lastSpace]
        if let mark = target.firstIndex(of: "?") {
            path = String(target[..<mark])
            query = String(target[target.index(after: mark)...])
        } else {
            path = String(target)
            query = ""
        }
        headers = []
        for line in lines.dropFirst() where !line.isEmpty {
            if line.first == " " || line.first == "\t" {
                // Obsolete line folding (RFC 7230 section 3.2.4): the line break becomes a space.
                guard !headers.isEmpty else { throw Malformed(description: "continuation line before any header") }
                headers[headers.count - 1].value += " " + line
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { throw Malformed(description: "header line without ':': \(line)") }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
    }
}
