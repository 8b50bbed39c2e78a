import Foundation

/// Why an RSA key could not be read. Never contains key material.
public struct RSAKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

/// An RSA private key, for RSASSA-PKCS1-v1_5 signatures with SHA-256 (JWT `RS256`, as Google
/// service-account keys sign their token requests).
public struct RSAPrivateKey: Sendable {
    private let modulus: MontgomeryModulus
    private let privateExponent: [UInt8]
    /// The matching public key.
    public let publicKey: RSAPublicKey

    /// PEM: `BEGIN PRIVATE KEY` (PKCS#8) or `BEGIN RSA PRIVATE KEY` (PKCS#1).
    public init(pem: String) throws(RSAKeyError) {
        let (label, der) = try PEM.decode(pem)
        switch label {
        case "PRIVATE KEY", "RSA PRIVATE KEY": try self.init(der: der)
        case "ENCRYPTED PRIVATE KEY": throw RSAKeyError(description: "the private key is encrypted; give an unencrypted PKCS#8 or PKCS#1 key")
        default: throw RSAKeyError(description: "the PEM holds a \(label), not an RSA private key")
        }
    }

    /// DER of a PKCS#8 PrivateKeyInfo or a PKCS#1 RSAPrivateKey.
    public init(der: [UInt8]) throws(RSAKeyError) {
        do {
            var top = DERReader(der)
            var outer = try top.sequence()
            _ = try outer.unsignedInteger()  // version
            var pkcs1 = outer
            if !outer.isAtEnd, var algorithm = try? outer.sequence() {
                // PKCS#8: AlgorithmIdentifier, then the PKCS#1 key in an OCTET STRING.
                guard try algorithm.objectIdentifier() == RSAPublicKey.rsaEncryption else {
                    throw RSAKeyError(description: "the key is not an RSA key (its algorithm is not rsaEncryption)")
                }
                let inner = try outer.octetString()
                var innerReader = DERReader(inner)
                pkcs1 = try innerReader.sequence()
                _ = try pkcs1.unsignedInteger()
            }
            let n = try pkcs1.unsignedInteger()
            let e = try pkcs1.unsignedInteger()
            let d = try pkcs1.unsignedInteger()
            guard let modulus = MontgomeryModulus(bigEndian: n), modulus.bitCount >= 1024 else {
                throw RSAKeyError(description: "the RSA modulus is not an odd number of at least 1024 bits")
            }
            self.modulus = modulus
            privateExponent = d
            publicKey = RSAPublicKey(modulus: n, exponent: e)
        } catch let error as RSAKeyError {
            throw error
        } catch {
            throw RSAKeyError(description: "the private key is not valid DER of a PKCS#8 or PKCS#1 RSA key")
        }
    }

    public var modulusBits: Int { modulus.bitCount }

    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2.1): as long as the modulus in bytes.
    public func signPKCS1v15SHA256(_ message: [UInt8]) -> [UInt8] {
        let encoded = RSAPublicKey.encodePKCS1v15SHA256(message, length: modulus.byteCount)
        return modulus.power(encoded, privateExponent)
    }
}

/// An RSA public key, to verify RSASSA-PKCS1-v1_5 SHA-256 signatures.
public struct RSAPublicKey: Sendable, Equatable {
    /// 1.2.840.113549.1.1.1, encoded.
    static let rsaEncryption: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01]
    /// The DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2, note 1).
    static let sha256DigestInfo: [UInt8] = [0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
                                            0x05, 0x00, 0x04, 0x20]

    public let modulus: [UInt8]
    public let exponent: [UInt8]

    /// Big-endian bytes.
    public init(modulus: [UInt8], exponent: [UInt8]) {
        self.modulus = Array(modulus.drop(while: { $0 == 0 }))
        self.exponent = Array(exponent.drop(while: { $0 == 0 }))
    }

    /// PEM: `BEGIN PUBLIC KEY` (SubjectPublicKeyInfo) or `BEGIN RSA PUBLIC KEY` (PKCS#1).
    public init(pem: String) throws(RSAKeyError) {
        let (label, der) = try PEM.decode(pem)
        do {
            var top = DERReader(der)
            var reader = try top.sequence()
            if label == "PUBLIC KEY" {
                var algorithm = try reader.sequence()
                guard try algorithm.objectIdentifier() == Self.rsaEncryption else {
                    throw RSAKeyError(description: "the public key is not an RSA key")
                }
                var key = DERReader(try reader.bitString())
                reader = try key.sequence()
            } else if label != "RSA PUBLIC KEY" {
                throw RSAKeyError(description: "the PEM holds a \(label), not an RSA public key")
            }
            self.init(modulus: try reader.unsignedInteger(), exponent: try reader.unsignedInteger())
        } catch let error as RSAKeyError {
            throw error
        } catch {
            throw RSAKeyError(description: "the public key is not valid DER")
        }
    }

    public func verifyPKCS1v15SHA256(_ message: [UInt8], signature: [UInt8]) -> Bool {
        guard let modulus = MontgomeryModulus(bigEndian: modulus), signature.count == modulus.byteCount,
              MontgomeryModulus.less(MontgomeryModulus.limbs(bigEndian: signature, count: modulus.modulus.count), modulus.modulus) else {
            return false
        }
        return modulus.power(signature, exponent) == Self.encodePKCS1v15SHA256(message, length: modulus.byteCount)
    }

    /// EMSA-PKCS1-v1_5: 00 01 FF…FF 00 DigestInfo(SHA-256(message)), `length` bytes.
    static func encodePKCS1v15SHA256(_ message: [UInt8], length: Int) -> [UInt8] {
        let digestInfo = sha256DigestInfo + SHA256.hash(message)
        let padding = max(8, length - digestInfo.count - 3)
        return [0x00, 0x01] + [UInt8](repeating: 0xFF, count: padding) + [0x00] + digestInfo
    }
}

/// PEM armor: `-----BEGIN LABEL-----`, base64, `-----END LABEL-----`.
enum PEM {
    static func decode(_ text: String) throws(RSAKeyError) -> (label: String, der: [UInt8]) {
        guard let begin = text.range(of: "-----BEGIN "), let labelEnd = text.range(of: "-----", range: begin.upperBound..<text.endIndex) else {
            throw RSAKeyError(description: "no PEM armor (-----BEGIN …-----) found")
        }
        let label = String(text[begin.upperBound..<labelEnd.lowerBound])
        guard let end = text.range(of: "-----END \(label)-----", range: labelEnd.upperBound..<text.endIndex) else {
            throw RSAKeyError(description: "the PEM block \(label) has no END line")
        }
        let body = text[labelEnd.upperBound..<end.lowerBound].filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: String(body)), !data.isEmpty else {
            throw RSAKeyError(description: "the PEM block \(label) is not valid base64")
        }
        return (label, Array(data))
    }
}
