/// An RSA public key (n, e): verifies RS256 signatures (RSASSA-PKCS1-v1_5 with SHA-256).
///
/// Read one from PEM (`PUBLIC KEY`, or `RSA PUBLIC KEY`), build it from its numbers, or take
/// `RSAPrivateKey.publicKey`. Two keys are equal when their numbers are.
public struct RSAPublicKey: Sendable, Equatable {
    /// Smallest and largest moduli accepted from PEM, in bits. Below 512 bits there is no room
    /// for a SHA-256 encoding; the upper bound keeps untrusted input from costing much work.
    static let supportedModulusBits = 512...16384

    let modulus: BigUInt
    let exponent: BigUInt

    /// The key with modulus n and public exponent e, both big-endian bytes (leading zeros
    /// allowed). Not checked: a key that cannot be valid verifies nothing.
    public init(modulus: [UInt8], exponent: [UInt8]) {
        self.init(modulus: BigUInt(bigEndian: modulus), exponent: BigUInt(bigEndian: exponent))
    }

    init(modulus: BigUInt, exponent: BigUInt) {
        self.modulus = modulus
        self.exponent = exponent
    }

    /// The first `PUBLIC KEY` (X.509 SubjectPublicKeyInfo with rsaEncryption) or
    /// `RSA PUBLIC KEY` (PKCS#1 RSAPublicKey) block of `pem`; text around it is ignored.
    public init(pem: String) throws(RSAKeyError) {
        let blocks = PEMBlock.all(in: pem)
        guard let block = blocks.first(where: { $0.label == "PUBLIC KEY" || $0.label == "RSA PUBLIC KEY" }) else {
            if blocks.contains(where: { $0.label.hasSuffix("PRIVATE KEY") }) {
                throw RSAKeyError("PEM: found a private key where a public key (PUBLIC KEY or RSA PUBLIC KEY) was expected")
            }
            throw RSAKeyError(RSAPublicKey.missingBlockMessage(expected: "PUBLIC KEY or RSA PUBLIC KEY", found: blocks))
        }
        let der = try block.decoded()
        if block.label == "PUBLIC KEY" {
            try self.init(subjectPublicKeyInfo: der)
        } else {
            try self.init(rsaPublicKey: der[...])
        }
    }

    /// X.509 SubjectPublicKeyInfo (RFC 5280 section 4.1): SEQUENCE { AlgorithmIdentifier,
    /// BIT STRING holding an RSAPublicKey }.
    init(subjectPublicKeyInfo der: [UInt8]) throws(RSAKeyError) {
        var outer = DERReader(der)
        var info = try outer.sequence("SubjectPublicKeyInfo")
        try outer.finish("SubjectPublicKeyInfo")
        try RSAPublicKey.readRSAAlgorithm(from: &info, "SubjectPublicKeyInfo algorithm")
        let key = try info.bitString("SubjectPublicKeyInfo subjectPublicKey")
        try info.finish("SubjectPublicKeyInfo")
        try self.init(rsaPublicKey: key)
    }

    /// PKCS#1 RSAPublicKey (RFC 8017 appendix A.1.1): SEQUENCE { modulus, publicExponent }.
    init(rsaPublicKey der: ArraySlice<UInt8>) throws(RSAKeyError) {
        var outer = DERReader(der)
        var key = try outer.sequence("RSAPublicKey")
        try outer.finish("RSAPublicKey")
        let modulus = try key.unsignedInteger("RSAPublicKey modulus")
        let exponent = try key.unsignedInteger("RSAPublicKey publicExponent")
        try key.finish("RSAPublicKey")
        try RSAPublicKey.check(modulus: modulus, exponent: exponent)
        self.init(modulus: modulus, exponent: exponent)
    }

    /// Throws unless n is odd and of a supported size and e is odd with 3 <= e < n.
    static func check(modulus: BigUInt, exponent: BigUInt) throws(RSAKeyError) {
        guard supportedModulusBits.contains(modulus.bitWidth) else {
            throw RSAKeyError("RSA: a modulus of \(modulus.bitWidth) bits is outside the supported \(supportedModulusBits.lowerBound)...\(supportedModulusBits.upperBound)")
        }
        guard modulus.isOdd else { throw RSAKeyError("RSA: the modulus is even") }
        guard exponent.isOdd, exponent > BigUInt(1), exponent < modulus else {
            throw RSAKeyError("RSA: the public exponent is not an odd number between 3 and the modulus")
        }
    }

    /// Reads an AlgorithmIdentifier that must be rsaEncryption with NULL (or absent) parameters.
    static func readRSAAlgorithm(from reader: inout DERReader, _ field: String) throws(RSAKeyError) {
        var algorithm = try reader.sequence(field)
        let oid = try algorithm.objectIdentifier("\(field) algorithm")
        guard oid == DERReader.OID.rsaEncryption else {
            let kind = oid == DERReader.OID.ecPublicKey ? "an EC key" : "not an RSA key"
            throw RSAKeyError("DER: \(kind) (algorithm \(DERReader.OID.dotted(oid)), not rsaEncryption 1.2.840.113549.1.1.1); only RSA keys are supported")
        }
        if !algorithm.isAtEnd { try algorithm.null("\(field) parameters") }
        try algorithm.finish(field)
    }

    /// "no X block in the PEM text", with the labels that were there.
    static func missingBlockMessage(expected: String, found blocks: [PEMBlock]) -> String {
        guard !blocks.isEmpty else { return "PEM: no -----BEGIN …----- armor in the text (expected \(expected))" }
        let labels = blocks.prefix(5).map(\.quotedLabel).joined(separator: ", ")
        return "PEM: no \(expected) block in the text (found \(labels))"
    }

    /// Length of the modulus, and so of signatures, in bytes.
    var modulusByteCount: Int { modulus.byteWidth }

    /// Whether `signature` is an RSASSA-PKCS1-v1_5 SHA-256 signature of `message` under this
    /// key (RFC 8017 section 8.2.2): it must be exactly as long as the modulus, below it, and
    /// its public operation must give exactly the encoding of the message's digest.
    public func verifyPKCS1v15SHA256(_ message: [UInt8], signature: [UInt8]) -> Bool {
        guard signature.count == modulusByteCount,
              let context = MontgomeryModulus(modulus),
              !exponent.isZero,
              let expected = EMSAPKCS1v15.encodeSHA256(message, length: modulusByteCount) else { return false }
        let s = BigUInt(bigEndian: signature)
        guard s < modulus else { return false }
        return context.power(s, exponent).bigEndianBytes(count: modulusByteCount) == expected
    }
}
