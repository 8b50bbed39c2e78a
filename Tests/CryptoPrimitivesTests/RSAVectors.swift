import CryptoPrimitives
import Foundation
import Testing

/// The RS256 vectors in `Vectors/rsa-pkcs1v15-sha256.json`, written by
/// `scripts/make-rsa-vectors` with Python's `cryptography`: test-only keys in every PEM form,
/// their signatures of fixed messages, and keys the reader must refuse.
struct RSAVectors: Decodable {
    struct Key: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var bits: Int
        var modulus_hex: String
        var public_exponent: Int
        var pkcs8_pem: String
        var pkcs1_pem: String
        var public_pem: String
        var public_pkcs1_pem: String
        var signatures: [Signature]

        var testDescription: String { name }

        /// The DER inside one of the PEM strings (decoded with Foundation, not our reader).
        static func der(of pem: String) -> [UInt8] {
            let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            return Array(Data(base64Encoded: body) ?? Data())
        }
    }

    struct Signature: Decodable, Sendable {
        var message: String
        var message_hex: String
        var signature_hex: String
    }

    /// One signature with its key, for parameterized tests.
    struct Case: Sendable, CustomTestStringConvertible {
        var key: Key
        var signature: Signature
        var testDescription: String { "\(key.name), message \(signature.message)" }
    }

    var note: String
    var keys: [Key]
    var refused: [String: String]

    var cases: [Case] {
        keys.flatMap { key in key.signatures.map { Case(key: key, signature: $0) } }
    }

    static let shared: RSAVectors = {
        guard let url = Bundle.module.url(forResource: "Vectors/rsa-pkcs1v15-sha256", withExtension: "json"),
              let data = try? Data(contentsOf: url) else {
            fatalError("Vectors/rsa-pkcs1v15-sha256.json is missing from the test bundle")
        }
        do {
            return try JSONDecoder().decode(RSAVectors.self, from: data)
        } catch {
            fatalError("Vectors/rsa-pkcs1v15-sha256.json does not decode: \(error)")
        }
    }()
}
