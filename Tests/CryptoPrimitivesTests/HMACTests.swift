import CryptoPrimitives
import Testing

struct HMACTests {
    @Test(arguments: PublishedVectors.shared.hmac_sha256_rfc4231)
    func rfc4231CaseAuthenticatesToItsExpectedValue(_ vector: PublishedVectors.Authentication) throws {
        let key = try #require(Hex.decode(vector.key_hex))
        let data = try #require(Hex.decode(vector.data_hex))
        let mac = HMAC.sha256(key: key, message: data)
        #expect(mac.count == 32)
        let compared = vector.truncated_to_bits.map { Array(mac.prefix($0 / 8)) } ?? mac
        #expect(Hex.encode(compared) == vector.expected_hmac_sha256_hex)
    }

    @Test func publishedVectorsCoverAllSevenCasesWithTruncationAndLongKeys() {
        let cases = PublishedVectors.shared.hmac_sha256_rfc4231
        #expect(cases.map(\.test_case) == Array(1...7))
        #expect(cases.first { $0.test_case == 5 }?.truncated_to_bits == 128)
        for longKeyCase in [6, 7] {
            #expect((cases.first { $0.test_case == longKeyCase }?.key_hex.count ?? 0) / 2 == 131)
        }
    }

    @Test func keyOfExactlyOneBlockIsUsedAsItIs() {
        // 64 bytes: padded with nothing, not hashed (value from Python's hmac module).
        let key = [UInt8](repeating: 0x0b, count: 64)
        #expect(Hex.encode(HMAC.sha256(key: key, message: "Hi There".utf8))
            == "21cd586aeca0579d99a1c938127c92525a371f807bc5ba6eb78bc825bd4f2be3")
    }

    @Test func emptyKeyAndMessageGiveTheKnownValue() {
        #expect(Hex.encode(HMAC.sha256(key: [UInt8](), message: [UInt8]()))
            == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }
}
