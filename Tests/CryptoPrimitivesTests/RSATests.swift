import CryptoPrimitives
import Foundation
import Testing

extension CPUBoundTests {
    struct RSASigningTests {
        @Test(arguments: RSAVectors.shared.cases)
        func vectorSignsByteForByteFromBothPEMForms(_ vector: RSAVectors.Case) throws {
            let message = try #require(Hex.decode(vector.signature.message_hex))
            for pem in [vector.key.pkcs8_pem, vector.key.pkcs1_pem] {
                let key = try RSAPrivateKey(pem: pem)
                let signature = key.signPKCS1v15SHA256(message)
                #expect(signature.count == vector.key.bits / 8)
                #expect(Hex.encode(signature) == vector.signature.signature_hex)
            }
        }

        @Test(arguments: RSAVectors.shared.keys)
        func derOfBothFormsReadsAsTheSameKey(_ vector: RSAVectors.Key) throws {
            let pkcs8 = try RSAPrivateKey(der: RSAVectors.Key.der(of: vector.pkcs8_pem))
            let pkcs1 = try RSAPrivateKey(der: RSAVectors.Key.der(of: vector.pkcs1_pem))
            let fromPEM = try RSAPrivateKey(pem: vector.pkcs8_pem)
            #expect(pkcs8.modulusBits == vector.bits)
            #expect(pkcs1.modulusBits == vector.bits)
            #expect(pkcs8.publicKey == pkcs1.publicKey)
            #expect(pkcs8.publicKey == fromPEM.publicKey)
            let message = Array("same key, same signature".utf8)
            #expect(pkcs8.signPKCS1v15SHA256(message) == pkcs1.signPKCS1v15SHA256(message))
        }

        @Test(arguments: RSAVectors.shared.keys)
        func publicKeyFromEveryFormIsTheSame(_ vector: RSAVectors.Key) throws {
            let spki = try RSAPublicKey(pem: vector.public_pem)
            let pkcs1 = try RSAPublicKey(pem: vector.public_pkcs1_pem)
            let modulus = try #require(Hex.decode(vector.modulus_hex))
            let exponent = withUnsafeBytes(of: UInt32(vector.public_exponent).bigEndian) { Array($0) }
            #expect(spki == pkcs1)
            #expect(spki == RSAPublicKey(modulus: modulus, exponent: exponent))
            // Leading zero bytes do not change the numbers.
            #expect(spki == RSAPublicKey(modulus: [0, 0] + modulus, exponent: [0x01, 0x00, 0x01]))
            #expect(spki == (try RSAPrivateKey(pem: vector.pkcs1_pem)).publicKey)
            #expect(spki != RSAPublicKey(modulus: modulus, exponent: [0x03]))
        }

        @Test func signingIsDeterministicAndVerifiesForEveryMessageLength() throws {
            let key = try RSAPrivateKey(pem: RSAVectors.shared.keys[0].pkcs8_pem)
            for length in [0, 1, 55, 56, 63, 64, 65, 200] {
                let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37) }
                let signature = key.signPKCS1v15SHA256(message)
                #expect(signature == key.signPKCS1v15SHA256(message))
                #expect(key.publicKey.verifyPKCS1v15SHA256(message, signature: signature))
            }
        }

        @Test func privateKeyDescriptionGivesOnlyTheSize() throws {
            let vector = RSAVectors.shared.keys[1]
            let key = try RSAPrivateKey(pem: vector.pkcs8_pem)
            #expect(String(describing: key) == "RSAPrivateKey(2048 bits)")
            #expect("\(key)" == "RSAPrivateKey(2048 bits)")
            #expect(String(reflecting: key) == "RSAPrivateKey(2048 bits)")
            var dumped = ""
            dump(key, to: &dumped)
            #expect(Mirror(reflecting: key).children.map(\.label) == ["modulusBits"])
            #expect(dumped.count < 100, "\(dumped)")
        }
    }
}

extension CPUBoundTests {
    struct RSAVerificationTests {
        @Test(arguments: RSAVectors.shared.cases)
        func rightSignatureVerifiesAndAlteredOnesDoNot(_ vector: RSAVectors.Case) throws {
            let message = try #require(Hex.decode(vector.signature.message_hex))
            let signature = try #require(Hex.decode(vector.signature.signature_hex))
            for key in [try RSAPublicKey(pem: vector.key.public_pem), try RSAPublicKey(pem: vector.key.public_pkcs1_pem)] {
                #expect(key.verifyPKCS1v15SHA256(message, signature: signature))
                for bit in [0, 7, signature.count * 4 + 3, signature.count * 8 - 1] {
                    var flipped = signature
                    flipped[bit / 8] ^= 1 << (bit % 8)
                    #expect(!key.verifyPKCS1v15SHA256(message, signature: flipped), "bit \(bit) flipped")
                }
                #expect(!key.verifyPKCS1v15SHA256(message + [0], signature: signature))
                #expect(!key.verifyPKCS1v15SHA256(Array("another message".utf8), signature: signature))
                #expect(!key.verifyPKCS1v15SHA256(message, signature: Array(signature.dropLast())))
                #expect(!key.verifyPKCS1v15SHA256(message, signature: [0] + signature))
                #expect(!key.verifyPKCS1v15SHA256(message, signature: []))
                #expect(!key.verifyPKCS1v15SHA256(message, signature: [UInt8](repeating: 0xff, count: signature.count)))
                #expect(!key.verifyPKCS1v15SHA256(message, signature: [UInt8](repeating: 0, count: signature.count)))
            }
        }

        @Test func signatureOfAnotherKeyDoesNotVerify() throws {
            let vectors = RSAVectors.shared.keys
            let other = try RSAPrivateKey(pem: vectors[1].pkcs8_pem)
            let key = try RSAPublicKey(pem: vectors[1].public_pem)
            let message = Array("abc".utf8)
            #expect(key.verifyPKCS1v15SHA256(message, signature: other.signPKCS1v15SHA256(message)))
            for vector in vectors where vector.bits != 2048 {
                let signature = try RSAPrivateKey(pem: vector.pkcs8_pem).signPKCS1v15SHA256(message)
                #expect(!key.verifyPKCS1v15SHA256(message, signature: signature))
            }
        }

        @Test func keysThatCannotBeValidVerifyNothing() {
            let message = Array("abc".utf8)
            #expect(!RSAPublicKey(modulus: [], exponent: [1, 0, 1]).verifyPKCS1v15SHA256(message, signature: []))
            #expect(!RSAPublicKey(modulus: [0x10, 0x00], exponent: [3]).verifyPKCS1v15SHA256(message, signature: [0, 1]))
            let evenModulus = [UInt8](repeating: 0xfe, count: 128)
            #expect(!RSAPublicKey(modulus: evenModulus, exponent: [3]).verifyPKCS1v15SHA256(message, signature: [UInt8](repeating: 1, count: 128)))
            let noExponent = [UInt8](repeating: 0xff, count: 128)
            #expect(!RSAPublicKey(modulus: noExponent, exponent: []).verifyPKCS1v15SHA256(message, signature: [UInt8](repeating: 1, count: 128)))
        }
    }
}

extension CPUBoundTests {
    struct RSAKeyReadingTests {
        static let vector = RSAVectors.shared.keys[0]

        /// `pem` with its BEGIN and END lines replaced by ones for `label`.
        static func relabel(_ pem: String, as label: String) -> String {
            pem.split(separator: "\n").map { line in
                if line.hasPrefix("-----BEGIN ") { return "-----BEGIN \(label)-----" }
                if line.hasPrefix("-----END ") { return "-----END \(label)-----" }
                return String(line)
            }.joined(separator: "\n") + "\n"
        }

        /// `der` as PEM under `label`, 64 characters a line.
        static func armor(_ der: [UInt8], as label: String) -> String {
            let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
            return "-----BEGIN \(label)-----\n\(base64)\n-----END \(label)-----\n"
        }

        /// The base64 of some PEM text, as every 12-character run of it, to look for in errors.
        struct KeyMaterial {
            static let runLength = 12
            let runs: Set<String>

            init(_ pem: String) {
                let base64 = Array(pem.split(separator: "\n").filter { !$0.hasPrefix("-----") && !$0.contains(":") }.joined())
                var runs: Set<String> = []
                var start = 0
                while start + Self.runLength <= base64.count {
                    runs.insert(String(base64[start..<start + Self.runLength]))
                    start += 1
                }
                self.runs = runs
            }
        }

        /// The error `read` throws, checked to quote no run of `material`'s base64 and no long
        /// base64-like run at all.
        @discardableResult
        static func expectRefusal(
            material: KeyMaterial, containing expected: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
            _ read: () throws(RSAKeyError) -> Void
        ) -> RSAKeyError? {
            do {
                try read()
                Issue.record("the key was accepted", sourceLocation: sourceLocation)
                return nil
            } catch {
                let description = error.description
                if let expected {
                    #expect(description.contains(expected), "\(description)", sourceLocation: sourceLocation)
                }
                let characters = Array(description)
                let quoted = (0..<max(0, characters.count - KeyMaterial.runLength + 1)).contains {
                    material.runs.contains(String(characters[$0..<$0 + KeyMaterial.runLength]))
                }
                #expect(!quoted, "the error quotes key material: \(description)", sourceLocation: sourceLocation)
                let longestRun = description.split { !($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }.map(\.count).max() ?? 0
                #expect(longestRun < 24, "the error has a long base64-like run: \(description)", sourceLocation: sourceLocation)
                return error
            }
        }

        @discardableResult
        static func expectRefusal(
            material pem: String, containing expected: String? = nil, sourceLocation: SourceLocation = #_sourceLocation,
            _ read: () throws(RSAKeyError) -> Void
        ) -> RSAKeyError? {
            expectRefusal(material: KeyMaterial(pem), containing: expected, sourceLocation: sourceLocation, read)
        }

        @Test func everyTruncationOfEitherDERFormIsRefused() {
            for pem in [Self.vector.pkcs8_pem, Self.vector.pkcs1_pem] {
                let der = RSAVectors.Key.der(of: pem)
                let material = KeyMaterial(pem)
                for length in 0..<der.count {
                    Self.expectRefusal(material: material) { () throws(RSAKeyError) in _ = try RSAPrivateKey(der: Array(der.prefix(length))) }
                }
                Self.expectRefusal(material: pem, containing: "unexpected bytes after") { () throws(RSAKeyError) in
                    _ = try RSAPrivateKey(der: der + [0])
                }
            }
        }

        @Test func aFlippedBitInAnyByteOfThePKCS1DERIsRefused() {
            // One bit per byte (a different one from byte to byte): every tag, length and number
            // is hit, at a fraction of the cost of all bits.
            let der = RSAVectors.Key.der(of: Self.vector.pkcs1_pem)
            let material = KeyMaterial(Self.vector.pkcs1_pem)
            for index in der.indices {
                var flipped = der
                flipped[index] ^= 1 << (index % 8)
                Self.expectRefusal(material: material) { () throws(RSAKeyError) in _ = try RSAPrivateKey(der: flipped) }
            }
        }

        @Test func randomBytesAreRefused() {
            var generator = SystemRandomNumberGenerator()
            let material = KeyMaterial("")
            for length in [0, 1, 2, 3, 10, 100, 1000] {
                for _ in 0..<20 {
                    var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                    Self.expectRefusal(material: material) { () throws(RSAKeyError) in _ = try RSAPrivateKey(der: bytes) }
                    // Also behind a plausible SEQUENCE header.
                    bytes = [0x30, 0x82, UInt8(length >> 8), UInt8(length & 0xff)] + bytes
                    Self.expectRefusal(material: material) { () throws(RSAKeyError) in _ = try RSAPrivateKey(der: bytes) }
                }
            }
        }

        @Test func malformedDERLengthsAreRefused() {
            for der: [UInt8] in [
                [0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00],            // indefinite length
                [0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00],            // 5 length bytes
                [0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02, 0x01, 0x00], // far past the end
                [0x30, 0x03, 0x02, 0x00, 0x00],                        // empty INTEGER
                [0x30, 0x03, 0x02, 0x01, 0xff],                        // negative version
                [0x3f, 0x01, 0x00],                                    // multi-byte tag
                [0x30, 0x00],                                          // empty SEQUENCE
            ] {
                Self.expectRefusal(material: "") { () throws(RSAKeyError) in _ = try RSAPrivateKey(der: der) }
            }
        }

        @Test func wrongAlgorithmOIDIsRefusedAndNamed() throws {
            var der = RSAVectors.Key.der(of: Self.vector.pkcs8_pem)
            let rsaEncryption: [UInt8] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01]
            let start = try #require((0...(der.count - rsaEncryption.count)).first { der[$0..<$0 + rsaEncryption.count].elementsEqual(rsaEncryption) })
            der[start + rsaEncryption.count - 1] = 0x0a  // RSASSA-PSS, 1.2.840.113549.1.1.10
            Self.expectRefusal(material: Self.vector.pkcs8_pem, containing: "1.2.840.113549.1.1.10") { () throws(RSAKeyError) in
                _ = try RSAPrivateKey(der: der)
            }
            Self.expectRefusal(material: Self.vector.pkcs8_pem, containing: "1.2.840.113549.1.1.10") { () throws(RSAKeyError) in
                _ = try RSAPrivateKey(pem: Self.armor(der, as: "PRIVATE KEY"))
            }
        }

        @Test func ecKeysAreRefusedAsEC() throws {
            let refused = RSAVectors.shared.refused
            let pkcs8 = try #require(refused["ec_p256_pkcs8_pem"])
            let sec1 = try #require(refused["ec_p256_sec1_pem"])
            Self.expectRefusal(material: pkcs8, containing: "EC key") { () throws(RSAKeyError) in _ = try RSAPrivateKey(pem: pkcs8) }
            Self.expectRefusal(material: pkcs8, containing: "EC key") { () throws(RSAKeyError) in
                _ = try RSAPrivateKey(der: RSAVectors.Key.der(of: pkcs8))
            }
            Self.expectRefusal(material: sec1, containing: "EC PRIVATE KEY") { () throws(RSAKeyError) in _ = try RSAPrivateKey(pem: sec1) }
            // SEC1 DER is an ECPrivateKey: version 1 and an OCTET STRING, not an RSA key.
            Self.expectRefusal(material: sec1, containing: "not an RSA private key") { () throws(RSAKeyError) in _ = try RSAPrivateKey(der: RSAVectors.Key.der(of: sec1)) }
        }

        @Test func encryptedKeysAreRefusedAsEncrypted() throws {
            let refused = RSAVectors.shared.refused
            let pkcs8 = try #require(refused["encrypted_pkcs8_pem"])
            let pkcs1 = try #require(refused["encrypted_pkcs1_pem"])
            #expect(pkcs8.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
            #expect(pkcs1.contains("Proc-Type: 4,ENCRYPTED"))
            for pem in [pkcs8, pkcs1] {
                let error = Self.expectRefusal(material: pem, containing: "encrypted") { () throws(RSAKeyError) in
                    _ = try RSAPrivateKey(pem: pem)
                }
                #expect(error?.description.contains("ENCRYPTED") == true)
            }
        }

        @Test func garbageBase64IsRefused() {
            let realBody = Self.vector.pkcs8_pem.split(separator: "\n").dropFirst().dropLast().joined(separator: "\n")
            for pem in [
                "-----BEGIN PRIVATE KEY-----\n!!!not*base64$$\n-----END PRIVATE KEY-----\n",
                "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n",                       // valid base64, not a key
                "-----BEGIN PRIVATE KEY-----\nMII=E\n-----END PRIVATE KEY-----\n",                      // padding inside
                "-----BEGIN PRIVATE KEY-----\nMIIEv-_A\n-----END PRIVATE KEY-----\n",                   // base64url alphabet
                "-----BEGIN PRIVATE KEY-----\n\(realBody)A\n-----END PRIVATE KEY-----\n",               // one character too many
                "-----BEGIN PRIVATE KEY-----\n\(realBody.dropLast(4))\n-----END PRIVATE KEY-----\n",    // cut short
                "-----BEGIN PRIVATE KEY-----\n\(realBody)\n",                                          // no END line
                "-----BEGIN PRIVATE KEY-----\n\(realBody)\n-----END RSA PRIVATE KEY-----\n",           // wrong END line
                "-----BEGIN PRIVATE KEY-----\n\n-----END PRIVATE KEY-----\n",                          // empty
                "no armor at all",
                "",
                realBody,                                                                            // base64 without armor
            ] {
                Self.expectRefusal(material: Self.vector.pkcs8_pem) { () throws(RSAKeyError) in _ = try RSAPrivateKey(pem: pem) }
            }
        }

        @Test func wrongKindOfPEMIsRefusedByEitherType() throws {
            let vector = Self.vector
            Self.expectRefusal(material: vector.public_pem, containing: "public key") { () throws(RSAKeyError) in
                _ = try RSAPrivateKey(pem: vector.public_pem)
            }
            Self.expectRefusal(material: vector.pkcs8_pem, containing: "private key") { () throws(RSAKeyError) in
                _ = try RSAPublicKey(pem: vector.pkcs8_pem)
            }
            Self.expectRefusal(material: vector.pkcs1_pem, containing: "CERTIFICATE") { () throws(RSAKeyError) in
                _ = try RSAPrivateKey(pem: Self.relabel(vector.pkcs1_pem, as: "CERTIFICATE"))
            }
            // An RSAPublicKey under the SubjectPublicKeyInfo label, and the reverse.
            Self.expectRefusal(material: vector.public_pkcs1_pem) { () throws(RSAKeyError) in
                _ = try RSAPublicKey(pem: Self.relabel(vector.public_pkcs1_pem, as: "PUBLIC KEY"))
            }
            Self.expectRefusal(material: vector.public_pem) { () throws(RSAKeyError) in
                _ = try RSAPublicKey(pem: Self.relabel(vector.public_pem, as: "RSA PUBLIC KEY"))
            }
            let ecKey = try #require(RSAVectors.shared.refused["ec_p256_pkcs8_pem"])
            Self.expectRefusal(material: ecKey) { () throws(RSAKeyError) in _ = try RSAPublicKey(pem: ecKey) }
        }

        @Test func multiPrimeVersionIsRefusedByName() {
            var der = RSAVectors.Key.der(of: Self.vector.pkcs1_pem)
            // SEQUENCE header (4 bytes for 1024-bit keys: 30 82 xx xx), then INTEGER 0: 02 01 00.
            #expect(der[4...6] == [0x02, 0x01, 0x00])
            der[6] = 1
            Self.expectRefusal(material: Self.vector.pkcs1_pem, containing: "multi-prime") { () throws(RSAKeyError) in
                _ = try RSAPrivateKey(der: der)
            }
        }

        @Test func armorIsFoundInSurroundingTextWithAnyLineBreaks() throws {
            let vector = RSAVectors.shared.keys[1]
            let expected = try RSAPrivateKey(pem: vector.pkcs8_pem).signPKCS1v15SHA256(Array("abc".utf8))
            let lines = vector.pkcs8_pem.split(separator: "\n").map(String.init)
            let body: [String] = Array(lines.dropFirst().dropLast())
            let crlf: String = lines.joined(separator: "\r\n") + "\r\n"
            let surrounded: String = "Service account key for tests\n\n" + vector.pkcs8_pem + "\ntrailing text -----\n"
            let indented: String = lines.map { "    " + $0 + "  " }.joined(separator: "\n")
            let oneLine: String = "-----BEGIN PRIVATE KEY-----" + body.joined() + "-----END PRIVATE KEY-----"
            let blankLines: String = "-----BEGIN PRIVATE KEY-----\n" + body.joined(separator: "\n\n") + "\n-----END PRIVATE KEY-----"
            let afterPublicKey: String = vector.public_pem + vector.pkcs8_pem  // the first private key counts
            let beforeAnotherKey: String = vector.pkcs8_pem + RSAVectors.shared.keys[0].pkcs8_pem
            for pem in [crlf, surrounded, indented, oneLine, blankLines, afterPublicKey, beforeAnotherKey] {
                #expect(try RSAPrivateKey(pem: pem).signPKCS1v15SHA256(Array("abc".utf8)) == expected)
            }
            #expect(try RSAPublicKey(pem: "key:\r\n" + vector.public_pem.replacingOccurrences(of: "\n", with: "\r\n"))
                == RSAPrivateKey(pem: vector.pkcs1_pem).publicKey)
        }

        @Test func inconsistentKeyNumbersAreRefused() throws {
            // Keys 0 and 1 spliced: key 0's PKCS#1 SEQUENCE with key 1's coefficient would not
            // parse as one; instead swap p and q, which breaks qInv (q·qInv ≢ 1 mod p).
            let der = RSAVectors.Key.der(of: Self.vector.pkcs1_pem)
            let fields = try #require(topLevelFields(of: der))
            #expect(fields.count == 9)
            let swapped = fields[0...3] + [fields[5], fields[4]] + fields[6...8]
            let body = swapped.flatMap { $0 }
            let rebuilt = [0x30, 0x82, UInt8(body.count >> 8), UInt8(body.count & 0xff)] + body
            Self.expectRefusal(material: Self.vector.pkcs1_pem, containing: "do not belong together") { () throws(RSAKeyError) in
                _ = try RSAPrivateKey(der: rebuilt)
            }
            // The unswapped rebuild reads fine, so the walker itself is right.
            let original = fields.flatMap { $0 }
            #expect(throws: Never.self) {
                try RSAPrivateKey(der: [0x30, 0x82, UInt8(original.count >> 8), UInt8(original.count & 0xff)] + original)
            }
        }
    }
}

/// The encodings of the elements of the DER SEQUENCE `der` (a test helper for rebuilding
/// keys; assumes well-formed input whose outer length takes two bytes).
func topLevelFields(of der: [UInt8]) -> [[UInt8]]? {
    guard der.count > 4, der[0] == 0x30, der[1] == 0x82 else { return nil }
    var index = 4
    var fields: [[UInt8]] = []
    while index + 2 <= der.count {
        let start = index
        var length = Int(der[index + 1])
        index += 2
        if length & 0x80 != 0 {
            let count = length & 0x7f
            guard index + count <= der.count else { return nil }
            length = der[index..<index + count].reduce(0) { $0 << 8 | Int($1) }
            index += count
        }
        index += length
        guard index <= der.count else { return nil }
        fields.append(Array(der[start..<index]))
    }
    return fields
}

extension CPUBoundTests {
    struct RSACrossCheckTests {
        /// Signs a fresh random message with each fixture key here and with Python's cryptography
        /// in a child process; the signatures must be equal byte for byte.
        @Test func randomMessagesSignAsCryptographySignsThem() async throws {
            var generator = SystemRandomNumberGenerator()
            let keys = RSAVectors.shared.keys
            let messages = keys.map { _ in (0..<Int.random(in: 0...2000, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) } }
            let expected = try await CryptographySigner.sign(zip(keys, messages).map {
                CryptographySigner.Request(pem: $0.pkcs8_pem, messageHex: Hex.encode($1))
            })
            try #require(expected.count == keys.count)
            for (index, key) in keys.enumerated() {
                let signature = try RSAPrivateKey(pem: key.pkcs8_pem).signPKCS1v15SHA256(messages[index])
                #expect(Hex.encode(signature) == expected[index], "\(key.name), message of \(messages[index].count) bytes: \(Hex.encode(messages[index]))")
            }
        }
    }
}
