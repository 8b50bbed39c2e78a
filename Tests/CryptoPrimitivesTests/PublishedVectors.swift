import CryptoPrimitives
import Foundation
import Testing

/// The SHA-256 (FIPS 180-2 appendix B) and HMAC-SHA256 (RFC 4231) vectors in
/// `Vectors/sha256_hmac_vectors.json`, a copy of `shared/reference/vectors`.
struct PublishedVectors: Decodable {
    struct Digest: Decodable, Sendable, CustomTestStringConvertible {
        struct Repeat: Decodable, Sendable {
            var char: String
            var count: Int
        }

        var name: String
        var message_hex: String?
        var message_repeat: Repeat?
        var message_bits: Int
        var expected_sha256: String

        var message: [UInt8] {
            if let message_repeat {
                return Array(String(repeating: message_repeat.char, count: message_repeat.count).utf8)
            }
            return Hex.decode(message_hex ?? "") ?? []
        }

        var testDescription: String { name }
    }

    struct Authentication: Decodable, Sendable, CustomTestStringConvertible {
        var test_case: Int
        var key_hex: String
        var data_hex: String
        var expected_hmac_sha256_hex: String
        /// Set for case 5, whose expected value is only the leftmost 128 bits.
        var truncated_to_bits: Int?

        var testDescription: String { "RFC 4231 test case \(test_case)" }
    }

    var sha256: [Digest]
    var hmac_sha256_rfc4231: [Authentication]

    static let shared: PublishedVectors = {
        guard let url = Bundle.module.url(forResource: "Vectors/sha256_hmac_vectors", withExtension: "json"),
              let data = try? Data(contentsOf: url) else {
            fatalError("Vectors/sha256_hmac_vectors.json is missing from the test bundle")
        }
        do {
            return try JSONDecoder().decode(PublishedVectors.self, from: data)
        } catch {
            fatalError("Vectors/sha256_hmac_vectors.json does not decode: \(error)")
        }
    }()
}
