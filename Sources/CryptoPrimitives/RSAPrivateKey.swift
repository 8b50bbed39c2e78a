/// An RSA private key with its CRT numbers: signs with RS256 (RSASSA-PKCS1-v1_5 with
/// SHA-256), as Google service-account JWTs are signed.
///
/// Read one from PEM (`PRIVATE KEY`, the PKCS#8 form in service-account JSON files, or
/// `RSA PRIVATE KEY`, PKCS#1) or DER. Reading checks that the numbers belong together
/// (n = p·q, e·dP ≡ 1 mod p-1, e·dQ ≡ 1 mod q-1, q·qInv ≡ 1 mod p, e·d ≡ 1 mod both), so a
/// damaged key is refused up front rather than producing bad signatures.
///
/// The key's numbers are not printed: `description` and the mirror `dump` uses give only
/// the size.
public struct RSAPrivateKey: Sendable, CustomStringConvertible, CustomReflectable {
    /// n, with e.
    public let publicKey: RSAPublicKey
    /// n prepared for exponentiation: the public-operation check of each signature.
    private let modulus: MontgomeryModulus
    /// d, used only if a CRT result fails its check.
    private let privateExponent: BigUInt
    /// p and q prepared for exponentiation.
    private let prime1: MontgomeryModulus
    private let prime2: MontgomeryModulus
    /// dP = d mod (p-1), dQ = d mod (q-1), qInv = q⁻¹ mod p.
    private let exponent1: BigUInt
    private let exponent2: BigUInt
    private let coefficient: BigUInt

    /// Size of the modulus in bits (2048 for Google service-account keys).
    public var modulusBits: Int { publicKey.modulus.bitWidth }

    public var description: String { "RSAPrivateKey(\(modulusBits) bits)" }

    public var customMirror: Mirror { Mirror(self, children: ["modulusBits": modulusBits]) }

    /// The first private key in `pem`: a `PRIVATE KEY` (PKCS#8 PrivateKeyInfo with
    /// rsaEncryption) or `RSA PRIVATE KEY` (PKCS#1 RSAPrivateKey) block. Text around it,
    /// line breaks (LF or CRLF) and indentation are ignored. Encrypted keys (`ENCRYPTED
    /// PRIVATE KEY`, or `Proc-Type: 4,ENCRYPTED` headers) and other kinds of key are refused.
    public init(pem: String) throws(RSAKeyError) {
        let blocks = PEMBlock.all(in: pem)
        guard let block = blocks.first(where: { $0.label.hasSuffix("PRIVATE KEY") }) else {
            if blocks.contains(where: { $0.label.hasSuffix("PUBLIC KEY") }) {
                throw RSAKeyError("PEM: found a public key where a private key (PRIVATE KEY or RSA PRIVATE KEY) was expected")
            }
            throw RSAKeyError(RSAPublicKey.missingBlockMessage(expected: "PRIVATE KEY or RSA PRIVATE KEY", found: blocks))
        }
        switch block.label {
        case "PRIVATE KEY":
            break
        case "RSA PRIVATE KEY":
            if block.headers.contains(where: { $0.hasPrefix("DEK-Info") || $0.uppercased().contains("ENCRYPTED") }) {
                throw RSAKeyError("PEM: the RSA PRIVATE KEY is encrypted (Proc-Type: 4,ENCRYPTED); decrypt it first, e.g. `openssl pkey -in encrypted.pem -out key.pem`")
            }
        case "ENCRYPTED PRIVATE KEY":
            throw RSAKeyError("PEM: the key is encrypted (ENCRYPTED PRIVATE KEY); decrypt it first, e.g. `openssl pkey -in encrypted.pem -out key.pem`")
        case "EC PRIVATE KEY":
            throw RSAKeyError("PEM: the key is an EC PRIVATE KEY; only RSA keys are supported")
        case "OPENSSH PRIVATE KEY":
            throw RSAKeyError("PEM: OpenSSH's own key format is not supported; convert it with `ssh-keygen -p -m PKCS8 -f FILE`")
        default:
            throw RSAKeyError("PEM: a \(block.quotedLabel) block is not a supported private key (PRIVATE KEY or RSA PRIVATE KEY)")
        }
        try self.init(der: try block.decoded())
    }

    /// The key in `der`: a PKCS#8 PrivateKeyInfo (RFC 5208; OneAsymmetricKey, RFC 5958) with
    /// rsaEncryption, or a PKCS#1 RSAPrivateKey (RFC 8017 appendix A.1.2).
    public init(der: [UInt8]) throws(RSAKeyError) {
        var outer = DERReader(der)
        var key = try outer.sequence("private key")
        try outer.finish("private key")
        let version = try key.smallInteger("private key version")
        guard key.nextTag == DERReader.Tag.sequence.rawValue else {
            // PKCS#1: the version is followed by the modulus.
            guard key.nextTag == DERReader.Tag.integer.rawValue else {
                throw RSAKeyError("DER: not an RSA private key (neither a PKCS#8 PrivateKeyInfo nor a PKCS#1 RSAPrivateKey)")
            }
            try self.init(rsaPrivateKey: &key, version: version)
            return
        }
        // PKCS#8: version, algorithm, the PKCS#1 key in an OCTET STRING, then optional
        // attributes [0] and public key [1], which are not needed.
        guard version == 0 || version == 1 else {
            throw RSAKeyError("DER: unsupported PrivateKeyInfo version \(version.map(String.init) ?? "(large)")")
        }
        try RSAPublicKey.readRSAAlgorithm(from: &key, "PrivateKeyInfo privateKeyAlgorithm")
        let wrapped = try key.octetString("PrivateKeyInfo privateKey")
        while !key.isAtEnd { try key.skip("PrivateKeyInfo attributes or publicKey") }
        var inner = DERReader(wrapped)
        var rsaKey = try inner.sequence("RSAPrivateKey")
        try inner.finish("RSAPrivateKey")
        let innerVersion = try rsaKey.smallInteger("RSAPrivateKey version")
        try self.init(rsaPrivateKey: &rsaKey, version: innerVersion)
    }

    /// The rest of an RSAPrivateKey after its version: n, e, d, p, q, dP, dQ, qInv.
    private init(rsaPrivateKey key: inout DERReader, version: Int?) throws(RSAKeyError) {
        guard version == 0 else {
            throw RSAKeyError(version == 1
                ? "RSA: multi-prime keys (RSAPrivateKey version 1) are not supported"
                : "DER: unsupported RSAPrivateKey version \(version.map(String.init) ?? "(large)")")
        }
        let n = try key.unsignedInteger("RSAPrivateKey modulus")
        let e = try key.unsignedInteger("RSAPrivateKey publicExponent")
        let d = try key.unsignedInteger("RSAPrivateKey privateExponent")
        let p = try key.unsignedInteger("RSAPrivateKey prime1")
        let q = try key.unsignedInteger("RSAPrivateKey prime2")
        let dP = try key.unsignedInteger("RSAPrivateKey exponent1")
        let dQ = try key.unsignedInteger("RSAPrivateKey exponent2")
        let qInv = try key.unsignedInteger("RSAPrivateKey coefficient")
        try key.finish("RSAPrivateKey")

        try RSAPublicKey.check(modulus: n, exponent: e)
        // Sizes first, so the arithmetic below stays cheap whatever the input.
        guard p.bitWidth < n.bitWidth, q.bitWidth < n.bitWidth, d < n,
              dP < p, dQ < q, qInv < p, !d.isZero,
              let modulus = MontgomeryModulus(n), let prime1 = MontgomeryModulus(p), let prime2 = MontgomeryModulus(q) else {
            throw RSAKeyError("RSA: the private key's numbers are out of range")
        }
        let one = BigUInt(1)
        let pMinus1 = p - one, qMinus1 = q - one
        guard p * q == n,
              (e * dP) % pMinus1 == one, (e * dQ) % qMinus1 == one,
              (e * d) % pMinus1 == one, (e * d) % qMinus1 == one,
              (q * qInv) % p == one else {
            throw RSAKeyError("RSA: the private key's numbers do not belong together (damaged key?)")
        }
        publicKey = RSAPublicKey(modulus: n, exponent: e)
        self.modulus = modulus
        privateExponent = d
        self.prime1 = prime1
        self.prime2 = prime2
        exponent1 = dP
        exponent2 = dQ
        coefficient = qInv
    }

    /// The RSASSA-PKCS1-v1_5 signature of `message` with SHA-256 (RFC 8017 section 8.2.1):
    /// as many bytes as the modulus. Deterministic: the same message always gives the same
    /// signature.
    ///
    /// The private operation uses the Chinese remainder theorem (RFC 8017 section 5.1.2,
    /// case 2.b), and its result is checked with the public exponent before it is returned:
    /// a faulty CRT half would otherwise give away a factor of n. Should the check fail, the
    /// signature is computed again as m^d mod n.
    public func signPKCS1v15SHA256(_ message: [UInt8]) -> [UInt8] {
        let length = publicKey.modulusByteCount
        guard let encoded = EMSAPKCS1v15.encodeSHA256(message, length: length) else {
            preconditionFailure("RSAPrivateKey holds moduli of at least 512 bits, room for any encoding")
        }
        let m = BigUInt(bigEndian: encoded)
        // s1 = m^dP mod p, s2 = m^dQ mod q, h = qInv·(s1 - s2) mod p, s = s2 + q·h.
        let s1 = prime1.power(m, exponent1)
        let s2 = prime2.power(m, exponent2)
        let p = prime1.modulus
        let s2ModP = s2 % p
        let difference = s1 >= s2ModP ? s1 - s2ModP : s1 + p - s2ModP
        var s = s2 + prime2.modulus * ((coefficient * difference) % p)
        if modulus.power(s, publicKey.exponent) != m {
            s = modulus.power(m, privateExponent)
        }
        return s.bigEndianBytes(count: length)
    }
}
