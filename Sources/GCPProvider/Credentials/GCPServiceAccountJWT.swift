import CloudCore
import CryptoPrimitives
import Foundation

/// The signed JWT a service account presents to Google's token endpoint (RFC 7523's JWT
/// bearer grant) in exchange for an access token.
///
/// Header `{"alg":"RS256","typ":"JWT","kid":KEY_ID}`, claims `iss` (the account's email),
/// `scope` (cloud-platform), `aud` (the token URI), `iat` and `exp` (one hour later); each
/// segment JSON in unpadded base64url, the signature RS256 over `header.claims`.
struct GCPServiceAccountJWT: Sendable, Equatable {
    /// The JOSE header.
    struct Header: Codable, Sendable, Equatable {
        var alg = "RS256"
        var typ = "JWT"
        var kid: String?
    }

    /// The claims Google's token endpoint reads.
    struct Claims: Codable, Sendable, Equatable {
        var iss: String
        var scope: String
        var aud: String
        var iat: Int
        var exp: Int
    }

    /// Access to all Google Cloud APIs the account's roles allow.
    static let scope = "https://www.googleapis.com/auth/cloud-platform"
    /// How long the assertion is valid (Google's maximum).
    static let lifetimeSeconds = 3600

    var header: Header
    var claims: Claims

    init(account: GCPCredentialsFile.ServiceAccount, issuedAt: Date) {
        let now = Int(issuedAt.timeIntervalSince1970.rounded(.down))
        header = Header(kid: account.privateKeyID)
        claims = Claims(iss: account.clientEmail, scope: Self.scope, aud: account.tokenURI.absoluteString,
                        iat: now, exp: now + Self.lifetimeSeconds)
    }

    /// `base64url(header) + "." + base64url(claims)`: what is signed.
    var signingInput: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding structs of strings and integers cannot fail.
        let header = (try? encoder.encode(header)) ?? Data()
        let claims = (try? encoder.encode(claims)) ?? Data()
        return Base64URL.encode(header) + "." + Base64URL.encode(claims)
    }

    /// The complete assertion: the signing input, ".", and the base64url signature `signer`
    /// makes over it with `privateKeyPEM`.
    /// - Throws: whatever `signer` throws.
    func assertion(privateKeyPEM: String, signer: RS256Signer) throws -> String {
        let input = signingInput
        let signature = try signer(privateKeyPEM, Array(input.utf8))
        return input + "." + Base64URL.encode(signature)
    }
}
