import CryptoPrimitives
import Foundation
import Testing

struct SHA256Tests {
    @Test(arguments: PublishedVectors.shared.sha256)
    func publishedVectorHashesToItsDigest(_ vector: PublishedVectors.Digest) {
        let message = vector.message
        #expect(message.count * 8 == vector.message_bits)
        #expect(Hex.encode(SHA256.hash(message)) == vector.expected_sha256)
    }

    @Test func publishedVectorsCoverTheFIPSExamplesAndTheEmptyMessage() {
        let lengths = Set(PublishedVectors.shared.sha256.map(\.message_bits))
        #expect(lengths.isSuperset(of: [0, 24, 448, 8_000_000]))
    }

    /// FIPS 180-4's two-block 896-bit message (the SHA-512 example text, hashed with SHA-256
    /// in NIST's published SHA-256 examples); not in the JSON file.
    @Test func fips896BitMessageHashesToThePublishedDigest() {
        let message = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
        #expect(message.utf8.count * 8 == 896)
        #expect(Hex.encode(SHA256.hash(message.utf8)) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func emptyMessageHashesToTheWellKnownDigest() {
        #expect(Hex.encode(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(SHA256().finalize()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test(arguments: [1, 3, 7, 13, 55, 56, 63, 64, 65, 127, 1000])
    func oddSizedChunksGiveTheOneShotDigest(firstChunk: Int) {
        let message = (0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
        // Chunk sizes vary as they go, so chunks straddle block boundaries in every way.
        var hasher = SHA256()
        var offset = 0
        var size = firstChunk
        while offset < message.count {
            let end = min(message.count, offset + size)
            hasher.update(message[offset..<end])
            offset = end
            size = size % 97 + 2
        }
        #expect(hasher.finalize() == SHA256.hash(message))
    }

    @Test func millionAsFedInOddChunksGiveThePublishedDigest() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        var hasher = SHA256()
        var offset = 0
        var size = 1
        while offset < message.count {
            let end = min(message.count, offset + size)
            message[offset..<end].withUnsafeBytes { hasher.update($0) }
            offset = end
            size = (size * 7 + 3) % 4099
        }
        #expect(Hex.encode(hasher.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func messagesAroundThePaddingBoundaryMatchTheirIncrementalDigest() {
        // Lengths 55, 56 and 64 change how many padding blocks finalize adds.
        for length in 50...130 {
            let message = [UInt8](repeating: 0x61, count: length)
            var hasher = SHA256()
            for byte in message { hasher.update(CollectionOfOne(byte)) }
            #expect(hasher.finalize() == SHA256.hash(message), "length \(length)")
        }
        #expect(Hex.encode(SHA256.hash([UInt8](repeating: 0x61, count: 55)))
            == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(Hex.encode(SHA256.hash([UInt8](repeating: 0x61, count: 56)))
            == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
    }

    @Test func finalizeLeavesTheHasherUsableForALongerMessage() {
        var hasher = SHA256()
        hasher.update("ab".utf8)
        #expect(Hex.encode(hasher.finalize()) == Hex.encode(SHA256.hash("ab".utf8)))
        hasher.update("c".utf8)
        #expect(Hex.encode(hasher.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func nonContiguousCollectionsHashLikeArrays() {
        let text = "The quick brown fox jumps over the lazy dog"
        #expect(Hex.encode(SHA256.hash(text.utf8.reversed().reversed())) == "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592")
        #expect(Hex.encode(SHA256.hash(text.utf8)) == "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592")
    }

    /// 1 MiB of a fixed pattern; the digest was computed once with Python:
    /// `hashlib.sha256(bytes((i*31+(i>>10))&0xFF for i in range(1<<20))).hexdigest()`.
    /// (Speed is the benchmark's business, not a test's.)
    @Test func oneMebibyteHashesToItsDigest() {
        let buffer = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ ($0 >> 10)) }
        #expect(Hex.encode(SHA256.hash(buffer)) == "b3dcbbbf60d44776da1cd235ddf135e6d81c52bee673ef0cdf2a14232bb1dbab")
    }
}
