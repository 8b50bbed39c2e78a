import Foundation

extension AWSSigner {
    /// Everything `signHeaders` works out, kept for tests that check each step.
    struct HeaderSigning {
        /// The headers to send, `Authorization` last.
        var headers: [(name: String, value: String)]
        var canonicalRequest: CanonicalRequest
        var stringToSign: String
        var authorization: String
    }

    /// Signs a request whose path and query are given exactly as sent (the test suite's raw
    /// request lines are not all valid URLs).
    func headerSigning(method: String, target: RequestTarget, headers: [(name: String, value: String)], body: [UInt8],
                       date: Date) -> HeaderSigning {
        let timestamp = SigV4Timestamp(date)
        let token = credentials.sessionToken
        let givenContentHash = headers.last { $0.name.lowercased() == "x-amz-content-sha256" }?.value
        let payloadHash = givenContentHash ?? payloadHash(body)
        let addsContentHash = givenContentHash == nil && (options.sendsContentHash || !options.signsPayload)

        var replaced: Set<String> = ["authorization", "x-amz-date"]
        if token != nil { replaced.insert("x-amz-security-token") }
        var sent = headers.filter { !replaced.contains($0.name.lowercased()) }
        sent.append(("X-Amz-Date", timestamp.dateTime))
        if addsContentHash { sent.append(("x-amz-content-sha256", payloadHash)) }
        if let token, options.signsSessionToken { sent.append(("X-Amz-Security-Token", token)) }

        var signed = sent
        if let host = target.host, !signed.contains(where: { $0.name.lowercased() == "host" }) {
            signed.append(("host", host))
        }
        let canonical = canonicalRequest(method: method, path: target.path, query: target.query,
                                         headers: CanonicalHeaders(signed), payloadHash: payloadHash)
        let stringToSign = stringToSign(canonicalRequest: canonical, date: date)
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(credentialScope(timestamp)), "
            + "SignedHeaders=\(canonical.signedHeaders), Signature=\(signature(stringToSign: stringToSign, date: date))"

        if let token, !options.signsSessionToken { sent.append(("X-Amz-Security-Token", token)) }
        sent.append(("Authorization", authorization))
        return HeaderSigning(headers: sent, canonicalRequest: canonical, stringToSign: stringToSign, authorization: authorization)
    }
}
