import CloudCore
import CryptoPrimitives
import Foundation

/// The bearer token EKS accepts from IAM principals, made as `aws-iam-authenticator` and
/// `aws eks get-token` make it: `k8s-aws-v1.` + base64url (no padding) of a presigned STS
/// `GetCallerIdentity` URL that signs the `x-k8s-aws-id: CLUSTER` header.
///
/// STS honours the URL for 15 minutes from signing, so the token's expiry is given 14 minutes
/// ahead; the URL carries `X-Amz-Expires=60` as the authenticator's does.
enum EKSToken {
    static let prefix = "k8s-aws-v1."

    /// The token and when kubectl should ask for a new one.
    static func make(cluster: String, credentials: AWSCredentials, region: String, stsEndpoint: URL,
                     date: Date = Date()) -> (token: String, expiration: Date) {
        var base = stsEndpoint.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let url = URL(string: base + "/?Action=GetCallerIdentity&Version=2011-06-15")!
        let signer = AWSSigner(credentials: .init(credentials), region: region, service: "sts")
        let presigned = signer.presignURL(method: "GET", url: url, headers: [("x-k8s-aws-id", cluster)], expires: .seconds(60), date: date)
        let token = prefix + Base64URL.encode(Array(presigned.absoluteString.utf8))
        return (token, date.addingTimeInterval(14 * 60))
    }

    /// The `ExecCredential` kubectl reads from an exec plugin's stdout.
    static func execCredential(token: String, expiration: Date) -> String {
        ExecCredential.json(token: token, expiration: expiration)
    }
}
