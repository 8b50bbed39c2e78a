/// EMSA-PKCS1-v1_5 encoding with SHA-256 (RFC 8017 section 9.2): the block that RS256
/// signing raises to the private exponent and verification compares against.
///
/// `0x00 0x01 0xff…0xff 0x00 DigestInfo(SHA-256, H)`, as long as the modulus.
enum EMSAPKCS1v15 {
    /// DER of DigestInfo { AlgorithmIdentifier { id-sha256 (2.16.840.1.101.3.4.2.1), NULL },
    /// OCTET STRING of 32 bytes } up to the digest (RFC 8017 section 9.2, note 1).
    static let sha256DigestInfoPrefix: [UInt8] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
    ]

    /// Shortest encoding: the DigestInfo (51 bytes) and 11 bytes of framing and padding.
    static let minimumLength = sha256DigestInfoPrefix.count + SHA256.digestByteCount + 11

    /// The encoded message of `message`, `length` bytes; nil if `length` is below
    /// `minimumLength` ("intended encoded message length too short").
    static func encodeSHA256(_ message: [UInt8], length: Int) -> [UInt8]? {
        guard length >= minimumLength else { return nil }
        let digestInfo = sha256DigestInfoPrefix + SHA256.hash(message)
        var encoded: [UInt8] = [0x00, 0x01]
        encoded.reserveCapacity(length)
        encoded.append(contentsOf: repeatElement(0xff, count: length - digestInfo.count - 3))
        encoded.append(0x00)
        encoded.append(contentsOf: digestInfo)
        return encoded
    }
}
