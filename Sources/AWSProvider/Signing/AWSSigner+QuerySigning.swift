import Foundation

extension AWSSigner {
    /// Everything `presignURL` works out, kept for tests that check each step.
    struct QuerySigning {
        /// The query of the presigned URL: the request's own query as sent, then the
        /// authentication parameters, `X-Amz-Signature` last.
        var query: String
        var canonicalRequest: CanonicalRequest
        var stringToSign: String
        var signature: String
    }

    /// Query-string authentication for a request whose path and query are given as sent.
    func querySigning(method: String, target: RequestTarget, headers: [(name: String, value: String)], expiresSeconds: Int64,
                      date: Date) -> QuerySigning {
        precondition((1...604_800).contains(expiresSeconds), "a presigned URL expires after 1 second to 7 days, not \(expiresSeconds) s")
        let timestamp = SigV4Timestamp(date)
        var signed = headers
        if let host = target.host, !signed.contains(where: { $0.name.lowercased() == "host" }) {
            signed.append(("host", host))
        }
        let canonicalHeaders = CanonicalHeaders(signed)

        var parameters = [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyId)/\(credentialScope(timestamp))"),
            ("X-Amz-Date", timestamp.dateTime),
            ("X-Amz-Expires", String(expiresSeconds)),
            ("X-Amz-SignedHeaders", canonicalHeaders.signedHeaders),
        ]
        if let token = credentials.sessionToken { parameters.append(("X-Amz-Security-Token", token)) }
        let authentication = parameters
            .map { "\(SigV4URIEncoding.encode($0.0.utf8))=\(SigV4URIEncoding.encode($0.1.utf8))" }
            .joined(separator: "&")
        let unsignedQuery = target.query.isEmpty ? authentication : "\(target.query)&\(authentication)"

        let canonical = canonicalRequest(method: method, path: target.path, query: unsignedQuery, headers: canonicalHeaders,
                                         payloadHash: payloadHash([]))
        let stringToSign = stringToSign(canonicalRequest: canonical, date: date)
        let signature = signature(stringToSign: stringToSign, date: date)
        return QuerySigning(query: "\(unsignedQuery)&X-Amz-Signature=\(signature)", canonicalRequest: canonical,
                            stringToSign: stringToSign, signature: signature)
    }
}
