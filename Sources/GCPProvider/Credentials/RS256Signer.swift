/// Signs a JWT signing input with RSASSA-PKCS1-v1_5 and SHA-256 (`RS256`) under the private
/// key in `privateKeyPEM`, returning the signature bytes.
///
/// The chain takes it as a value so the RSA implementation is wired in by whoever builds the
/// chain (and tests can record what they were asked to sign). Errors it throws must not
/// contain the key.
public typealias RS256Signer = @Sendable (_ privateKeyPEM: String, _ signingInput: [UInt8]) throws -> [UInt8]
