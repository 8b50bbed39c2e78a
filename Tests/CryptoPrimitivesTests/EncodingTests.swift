import CryptoPrimitives
import Foundation
import Testing

struct HexTests {
    @Test func bytesEncodeAsLowercasePairs() {
        #expect(Hex.encode([0x00, 0x01, 0x7f, 0x80, 0xab, 0xff]) == "00017f80abff")
        #expect(Hex.encode([UInt8]()) == "")
    }

    @Test func decodingAcceptsEitherCaseAndRejectsMalformedText() {
        #expect(Hex.decode("00017F80abFF") == [0x00, 0x01, 0x7f, 0x80, 0xab, 0xff])
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
    }
}

struct Base64URLTests {
    /// RFC 4648 section 10's vectors, padding removed, plus bytes that use `-` and `_`.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"), ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648VectorsEncodeWithoutPadding(plain: String, encoded: String) {
        #expect(Base64URL.encode(plain.utf8) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test func urlSafeAlphabetReplacesPlusAndSlash() {
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.encode([0xff, 0xfe, 0xfd, 0xfc]) == "__79_A")
        #expect(Base64URL.decode("__79_A") == [0xff, 0xfe, 0xfd, 0xfc])
    }

    @Test func encodingMatchesFoundationBase64WithTheAlphabetSwappedAndPaddingDropped() {
        var generator = SplitMix64(seed: 42)
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(Base64URL.encode(bytes) == expected)
            #expect(Base64URL.decode(expected) == bytes)
        }
    }

    @Test func decodingRejectsPaddingForeignCharactersAndImpossibleLengths() {
        #expect(Base64URL.decode("Zg==") == nil)
        #expect(Base64URL.decode("Zm+v") == nil)
        #expect(Base64URL.decode("Zm9vY") == nil)
    }
}

/// A small deterministic generator, so the comparison with Foundation sees varied bytes
/// without the test depending on a random seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
