import CryptoPrimitives
import Foundation

/// Signs AWS API requests with Signature Version 4: an `Authorization` header for a request
/// about to be sent, or a presigned URL that carries its signature in the query string (the
/// STS URL inside an EKS bearer token).
///
/// A pure value with no clock and no I/O: the caller passes the date, and the same inputs
/// always give the same signature. The steps (`canonicalRequest`, `stringToSign`,
/// `signingKey`, `signature`) are exposed so each can be checked against AWS's published test
/// suite and against botocore.
///
/// Requests are plain values: a method, a `URL` (path and query exactly as they will be sent,
/// i.e. percent-encoded), an ordered header list and the body bytes, as `HTTPRequest` holds
/// them for the transport.
/// - Important: The canonical path is the path as sent, normalised (dot segments and empty
///   segments removed) and URI-encoded once more, so a name percent-encoded in the URL is
///   encoded twice in the signature, as every service but S3 expects. `Options.s3` signs the
///   path as sent instead. Query keys and values are decoded and re-encoded canonically; a
///   `+` in a query is a plus sign, never a space (send spaces as `%20`).
public struct AWSSigner: Sendable {
    /// The keys a signature is made with. Printing them never shows the secret or the token.
    public struct Credentials: Sendable, Equatable, CustomStringConvertible {
        public var accessKeyId: String
        public var secretAccessKey: String
        /// The token of temporary credentials (STS, instance roles); sent as `X-Amz-Security-Token`.
        public var sessionToken: String?

        public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyId = accessKeyId
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }

        public var description: String {
            "AWSSigner.Credentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>"
                + (sessionToken == nil ? ")" : ", sessionToken: <redacted>)")
        }
    }

    /// The few ways services differ in what they expect signed.
    public struct Options: Sendable, Equatable {
        /// How the request path becomes the canonical URI.
        public enum PathRule: Sendable, Equatable {
            /// Dot segments and empty segments removed, then URI-encoded (again): every service but S3.
            case normalizedAndEncoded
            /// The path exactly as sent: S3, where `a//b` and `a/./b` are different object keys.
            case asSent
        }

        /// How the request path becomes the canonical URI.
        public var path: PathRule
        /// Signs the SHA-256 of the body (true), or the literal `UNSIGNED-PAYLOAD` (false; S3
        /// over https, when hashing a large upload first is not worth it).
        public var signsPayload: Bool
        /// Sends the payload hash as `x-amz-content-sha256` (S3 requires it). Always sent when
        /// the payload is unsigned, since the service cannot tell otherwise.
        public var sendsContentHash: Bool
        /// Makes `X-Amz-Security-Token` part of the signature (what services expect) rather than
        /// adding it after signing. Presigned URLs always sign the token.
        public var signsSessionToken: Bool

        public init(path: PathRule = .normalizedAndEncoded, signsPayload: Bool = true, sendsContentHash: Bool = false,
                    signsSessionToken: Bool = true) {
            self.path = path
            self.signsPayload = signsPayload
            self.sendsContentHash = sendsContentHash
            self.signsSessionToken = signsSessionToken
        }

        /// What S3 expects: the path as sent, and `x-amz-content-sha256`.
        public static let s3 = Options(path: .asSent, sendsContentHash: true)
    }

    /// The first step of a signature: the request reduced to the lines AWS hashes.
    public struct CanonicalRequest: Sendable, Equatable, CustomStringConvertible {
        /// Method, canonical URI, canonical query, headers, signed header names and payload
        /// hash, one per line (the headers one per line, followed by an empty line).
        public var text: String
        /// The lowercased names of the signed headers, sorted and joined by `;`.
        public var signedHeaders: String

        public var description: String { text }
    }

    /// The algorithm name that starts every string to sign and `Authorization` header.
    public static let algorithm = "AWS4-HMAC-SHA256"
    /// What is signed in place of the payload hash when the body is not signed.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"

    /// The keys signed with; replace them when temporary credentials are refreshed.
    public var credentials: Credentials
    /// The region signed for, e.g. `us-east-1` (global services such as IAM sign for `us-east-1`).
    public var region: String
    /// The signing name of the service, e.g. `eks`, `ec2`, `sts`.
    public var service: String
    /// What this service expects signed beyond the common rules.
    public var options: Options

    public init(credentials: Credentials, region: String, service: String, options: Options = Options()) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.options = options
    }

    // MARK: - Signing requests

    /// The headers to send `method url` with: `headers`, then `X-Amz-Date`,
    /// `x-amz-content-sha256` (when the options ask for it), `X-Amz-Security-Token` (with
    /// temporary credentials) and `Authorization`.
    ///
    /// Any `Authorization`, `X-Amz-Date` and (when replaced) `X-Amz-Security-Token` and
    /// `x-amz-content-sha256` headers already in `headers` are dropped, so a retried request
    /// can be signed again. `Host` is signed from the URL unless `headers` has one; it is not
    /// added to the result (the transport sends it).
    public func signHeaders(method: String, url: URL, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
                            date: Date = Date()) -> [(name: String, value: String)] {
        headerSigning(method: method, target: RequestTarget(url: url), headers: headers, body: body, date: date).headers
    }

    /// `url` with query-string authentication added, valid for `expires` from `date`: anyone
    /// holding it can make the request until then (EKS bearer tokens are such URLs to STS).
    ///
    /// `headers` are signed, so the request must send them with the same values; the host
    /// is always signed. The payload signed is that of an empty body (`UNSIGNED-PAYLOAD` when
    /// the options sign no payload, as S3 presigned URLs do).
    /// - Precondition: `expires` is between 1 second and 7 days, as AWS accepts.
    public func presignURL(method: String, url: URL, headers: [(name: String, value: String)] = [], expires: Duration,
                           date: Date = Date()) -> URL {
        let signing = querySigning(method: method, target: RequestTarget(url: url), headers: headers,
                                   expiresSeconds: expires.components.seconds, date: date)
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: true) else {
            preconditionFailure("a URL always has components")
        }
        components.percentEncodedQuery = signing.query
        guard let presigned = components.url else {
            preconditionFailure("a valid URL with a percent-encoded query is a valid URL: \(url)")
        }
        return presigned
    }

    // MARK: - Steps

    /// The canonical request for `method` on `path?query` (both exactly as sent, i.e.
    /// percent-encoded) with `headers` (every header to sign, including `host`) and the body
    /// hash `payloadHash`.
    ///
    /// Header names are lowercased and sorted; values trimmed, inner whitespace collapsed to
    /// one space, and the values of a repeated header joined by commas in order. Headers that
    /// proxies may change (`User-Agent`, `Connection` and the other hop-by-hop headers,
    /// `Expect`, `X-Amzn-Trace-Id`) and `Authorization` itself are not signed.
    public func canonicalRequest(method: String, path: String, query: String, headers: [(name: String, value: String)],
                                 payloadHash: String) -> CanonicalRequest {
        canonicalRequest(method: method, path: path, query: query, headers: CanonicalHeaders(headers), payloadHash: payloadHash)
    }

    /// The string whose HMAC is the signature: algorithm, timestamp, credential scope and the
    /// SHA-256 of the canonical request.
    public func stringToSign(canonicalRequest: CanonicalRequest, date: Date) -> String {
        let timestamp = SigV4Timestamp(date)
        return [Self.algorithm, timestamp.dateTime, credentialScope(timestamp),
                Hex.encode(SHA256.hash(canonicalRequest.text.utf8))].joined(separator: "\n")
    }

    /// The key derived from the secret for the day of `date`, this region and this service
    /// (valid for all requests of that day, so callers may cache it per day).
    public func signingKey(date: Date) -> [UInt8] {
        let day = SigV4Timestamp(date).day
        var key = HMAC.sha256(key: Array("AWS4\(credentials.secretAccessKey)".utf8), message: day.utf8)
        for part in [region, service, "aws4_request"] {
            key = HMAC.sha256(key: key, message: part.utf8)
        }
        return key
    }

    /// The signature of `stringToSign`: lowercase hex of its HMAC under the signing key.
    public func signature(stringToSign: String, date: Date) -> String {
        Hex.encode(HMAC.sha256(key: signingKey(date: date), message: stringToSign.utf8))
    }

    /// The `Authorization` header value for a canonical request signed at `date`.
    public func authorization(canonicalRequest: CanonicalRequest, date: Date) -> String {
        let timestamp = SigV4Timestamp(date)
        let signature = signature(stringToSign: stringToSign(canonicalRequest: canonicalRequest, date: date), date: date)
        return "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(credentialScope(timestamp)), "
            + "SignedHeaders=\(canonicalRequest.signedHeaders), Signature=\(signature)"
    }

    /// Lowercase hex SHA-256 of `body`, or `UNSIGNED-PAYLOAD` when the options sign no payload.
    public func payloadHash(_ body: [UInt8]) -> String {
        options.signsPayload ? Hex.encode(SHA256.hash(body)) : Self.unsignedPayload
    }

    /// `day/region/service/aws4_request`.
    func credentialScope(_ timestamp: SigV4Timestamp) -> String {
        "\(timestamp.day)/\(region)/\(service)/aws4_request"
    }

    func canonicalRequest(method: String, path: String, query: String, headers: CanonicalHeaders,
                          payloadHash: String) -> CanonicalRequest {
        let uri = switch options.path {
        case .normalizedAndEncoded: SigV4URIEncoding.canonicalPath(path)
        case .asSent: path.isEmpty ? "/" : path
        }
        let text = [method.uppercased(), uri, SigV4URIEncoding.canonicalQuery(query), headers.text,
                    headers.signedHeaders, payloadHash].joined(separator: "\n")
        return CanonicalRequest(text: text, signedHeaders: headers.signedHeaders)
    }
}
