#if canImport(Glibc)
import Glibc
#endif
import CryptoPrimitives
import Foundation
import Testing
import TestSupport

/// `Vectors/rsa-pkcs1v15-sha256.json`: test-only keys and the signatures Python's
/// `cryptography` made with them (scripts/make-rsa-vectors).
struct RSAVectors: Decodable, Sendable {
    struct Key: Decodable, Sendable, CustomTestStringConvertible {
        struct Signature: Decodable, Sendable {
            var message: String
            var signature: String
        }
        var bits: Int
        var pkcs8: String
        var pkcs1: String
        var `public`: String
        var signatures: [Signature]
        var testDescription: String { "\(bits)-bit key" }
    }

    var keys: [Key]
    var ecPrivateKey: String

    static let shared: RSAVectors = {
        let url = Bundle.module.url(forResource: "Vectors/rsa-pkcs1v15-sha256", withExtension: "json")!
        return try! JSONDecoder().decode(RSAVectors.self, from: Data(contentsOf: url))
    }()
}

/// The vectors' big-number work takes seconds in a debug build: it runs on threads of its own,
/// never on the cooperative pool the other suites' tests share.
struct RSATests {
    @Test(arguments: RSAVectors.shared.keys)
    func signaturesMatchCryptographyByteForByteFromBothPEMForms(_ vector: RSAVectors.Key) async throws {
        let pkcs8 = try RSAPrivateKey(pem: vector.pkcs8)
        let pkcs1 = try RSAPrivateKey(pem: vector.pkcs1)
        #expect(pkcs8.modulusBits == vector.bits && pkcs1.publicKey == pkcs8.publicKey)
        let publicKey = try RSAPublicKey(pem: vector.public)
        #expect(publicKey == pkcs8.publicKey)
        let results = await onOwnThread { () -> [(String, Bool)] in
            vector.signatures.map { expected in
                let message = Array(expected.message.utf8)
                let signature = pkcs8.signPKCS1v15SHA256(message)
                return (Hex.encode(signature), publicKey.verifyPKCS1v15SHA256(message, signature: signature))
            }
        }
        for (expected, result) in zip(vector.signatures, results) {
            #expect(result.0 == expected.signature, "message \(expected.message.prefix(20))")
            #expect(result.1)
        }
        let fromPKCS1 = await onOwnThread { Hex.encode(pkcs1.signPKCS1v15SHA256(Array("abc".utf8))) }
        #expect(fromPKCS1 == vector.signatures[1].signature)
    }

    @Test func verificationRejectsAnyChange() async throws {
        let vector = RSAVectors.shared.keys[0]
        let key = try RSAPublicKey(pem: vector.public)
        let message = Array(vector.signatures[1].message.utf8)
        let signature = try #require(Hex.decode(vector.signatures[1].signature))
        var changed = signature
        changed[changed.count / 2] ^= 0x01
        let flipped = changed
        let verdicts = await onOwnThread {
            [key.verifyPKCS1v15SHA256(message, signature: signature), key.verifyPKCS1v15SHA256(message, signature: flipped),
             key.verifyPKCS1v15SHA256(Array("abd".utf8), signature: signature),
             key.verifyPKCS1v15SHA256(message, signature: Array(signature.dropLast())),
             key.verifyPKCS1v15SHA256(message, signature: [UInt8](repeating: 0xFF, count: signature.count))]
        }
        #expect(verdicts == [true, false, false, false, false])
    }

    @Test func badKeysAreErrorsThatShowNoKeyMaterial() throws {
        let pem = RSAVectors.shared.keys[0].pkcs8
        let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let der = try #require(Data(base64Encoded: base64).map(Array.init))
        var cases: [String] = [
            "not a key at all",
            "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----",
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----",
            RSAVectors.shared.ecPrivateKey,
            "-----BEGIN PRIVATE KEY-----\n" + base64.prefix(40) + "\n-----END PRIVATE KEY-----",
        ]
        cases.append("-----BEGIN CERTIFICATE-----\n" + base64 + "\n-----END CERTIFICATE-----")
        for text in cases {
            do {
                _ = try RSAPrivateKey(pem: text)
                Issue.record("accepted: \(text.prefix(40))")
            } catch {
                #expect(!error.description.contains(base64.prefix(24)), "\(error)")
            }
        }
        // Every truncation of the DER is refused, never a crash.
        for length in stride(from: 0, to: der.count, by: 7) {
            #expect(throws: RSAKeyError.self) { try RSAPrivateKey(der: Array(der.prefix(length))) }
        }
    }

    /// A fresh message, signed here and by `cryptography` now: the bytes must match.
    @Test func aFreshSignatureMatchesCryptographyLive() async throws {
        let vector = RSAVectors.shared.keys[1]
        let message = Hex.encode((0..<48).map { _ in UInt8.random(in: 0...255) })
        let script = """
            import sys
            try:
                from cryptography.hazmat.primitives import hashes, serialization
                from cryptography.hazmat.primitives.asymmetric import padding
            except ImportError as error:
                sys.exit(f"python3 -m pip install cryptography ({error})")
            key = serialization.load_pem_private_key(sys.stdin.read().encode(), password=None)
            print(key.sign(sys.argv[1].encode(), padding.PKCS1v15(), hashes.SHA256()).hex())
            """
        let run = try await AgentProcess.run(["-c", script, message], input: vector.pkcs8, prefix: ["/usr/bin/env"],
                                             executableOverride: "python3")
        #expect(run.status == 0, "needs python3 with cryptography (python3 -m pip install cryptography): \(run.stderr)")
        let key = try RSAPrivateKey(pem: vector.pkcs8)
        let ours = await onOwnThread { Hex.encode(key.signPKCS1v15SHA256(Array(message.utf8))) }
        #expect(ours == run.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
