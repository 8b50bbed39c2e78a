/// SHA-256 (FIPS 180-4): the digest under AWS Signature Version 4, HMAC-SHA256 and RS256.
///
/// Hash bytes in one call with `SHA256.hash(_:)`, or feed them in pieces:
/// ```swift
/// var hasher = SHA256()
/// hasher.update(header)
/// hasher.update(body)
/// let digest = hasher.finalize()
/// ```
/// The result of `finalize()` does not depend on how the input was split. Whole 64-byte
/// blocks are compressed straight from the caller's memory; only a partial block is copied.
public struct SHA256: Sendable {
    /// Length of a digest in bytes.
    public static let digestByteCount = 32
    /// Length of the blocks the compression function takes, in bytes (HMAC's block size).
    public static let blockByteCount = 64

    /// The eight working words H0…H7 after every block compressed so far.
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) =
        (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    /// Bytes waiting for their block to fill (always fewer than 64).
    private var pending: [UInt8] = []
    /// Bytes hashed so far, including `pending`.
    private var byteCount: UInt64 = 0

    /// A hasher that has seen no input yet.
    public init() {
        pending.reserveCapacity(Self.blockByteCount)
    }

    /// The digest of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// Adds `bytes` to the message.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            update(UnsafeRawBufferPointer(buffer))
        }
        if handled == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// Adds the bytes of `buffer` to the message.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard !buffer.isEmpty else { return }
        byteCount &+= UInt64(buffer.count)
        var input = buffer[...]
        if !pending.isEmpty {
            let taken = min(Self.blockByteCount - pending.count, input.count)
            pending.append(contentsOf: input.prefix(taken))
            input = input.dropFirst(taken)
            guard pending.count == Self.blockByteCount else { return }
            pending.withUnsafeBytes { compress(blocks: $0) }
            pending.removeAll(keepingCapacity: true)
        }
        let wholeBlocks = input.count - input.count % Self.blockByteCount
        if wholeBlocks > 0 {
            compress(blocks: UnsafeRawBufferPointer(rebasing: input.prefix(wholeBlocks)))
        }
        pending.append(contentsOf: input.dropFirst(wholeBlocks))
    }

    /// The digest of everything added so far. The hasher itself is unchanged, so more input
    /// may follow for a longer message.
    public func finalize() -> [UInt8] {
        var last = self
        let bitCount = byteCount &* 8
        // Padding: 0x80, zeros up to 56 mod 64, then the message length in bits, big-endian.
        var padding: [UInt8] = [0x80]
        let used = (pending.count + 1) % Self.blockByteCount
        padding.append(contentsOf: repeatElement(0, count: (Self.blockByteCount + 56 - used) % Self.blockByteCount))
        for shift in stride(from: 56, through: 0, by: -8) {
            padding.append(UInt8(truncatingIfNeeded: bitCount &>> UInt64(shift)))
        }
        let total = last.byteCount
        padding.withUnsafeBytes { last.update($0) }
        last.byteCount = total
        precondition(last.pending.isEmpty, "SHA-256 padding must end on a block boundary")

        var digest: [UInt8] = []
        digest.reserveCapacity(Self.digestByteCount)
        let words = last.state
        for word in [words.0, words.1, words.2, words.3, words.4, words.5, words.6, words.7] {
            digest.append(UInt8(truncatingIfNeeded: word &>> 24))
            digest.append(UInt8(truncatingIfNeeded: word &>> 16))
            digest.append(UInt8(truncatingIfNeeded: word &>> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        return digest
    }

    /// Runs the compression function over each 64-byte block of `blocks` (a whole number of them).
    ///
    /// Written to be fast without optimisation too (debug builds hash megabytes in tests):
    /// `while` loops rather than range iterators, one scratch schedule for all blocks, round
    /// constants read through a pointer, and only transparent (always inlined) integer
    /// operators in the rounds, so no call is made per round.
    private mutating func compress(blocks: UnsafeRawBufferPointer) {
        precondition(blocks.count % Self.blockByteCount == 0, "SHA-256 compresses whole blocks only")
        let blockCount = blocks.count / Self.blockByteCount
        var (h0, h1, h2, h3, h4, h5, h6, h7) = state
        sha256RoundConstants.withUnsafeBufferPointer { constants in
            let k = constants.baseAddress!
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
                let w = schedule.baseAddress!
                let input = blocks.baseAddress!
                var block = 0
                while block < blockCount {
                    let offset = block &* 64
                    var t = 0
                    while t < 16 {
                        w[t] = UInt32(bigEndian: input.loadUnaligned(fromByteOffset: offset &+ t &* 4, as: UInt32.self))
                        t &+= 1
                    }
                    while t < 64 {
                        let x = w[t &- 15], y = w[t &- 2]
                        let s0 = (x &>> 7 | x &<< 25) ^ (x &>> 18 | x &<< 14) ^ (x &>> 3)
                        let s1 = (y &>> 17 | y &<< 15) ^ (y &>> 19 | y &<< 13) ^ (y &>> 10)
                        w[t] = w[t &- 16] &+ s0 &+ w[t &- 7] &+ s1
                        t &+= 1
                    }
                    var a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
                    t = 0
                    while t < 64 {
                        let sum1 = (e &>> 6 | e &<< 26) ^ (e &>> 11 | e &<< 21) ^ (e &>> 25 | e &<< 7)
                        let choice = g ^ (e & (f ^ g))
                        let temp1 = h &+ sum1 &+ choice &+ k[t] &+ w[t]
                        let sum0 = (a &>> 2 | a &<< 30) ^ (a &>> 13 | a &<< 19) ^ (a &>> 22 | a &<< 10)
                        let majority = (a & (b | c)) | (b & c)
                        let temp2 = sum0 &+ majority
                        h = g
                        g = f
                        f = e
                        e = d &+ temp1
                        d = c
                        c = b
                        b = a
                        a = temp1 &+ temp2
                        t &+= 1
                    }
                    h0 = h0 &+ a
                    h1 = h1 &+ b
                    h2 = h2 &+ c
                    h3 = h3 &+ d
                    h4 = h4 &+ e
                    h5 = h5 &+ f
                    h6 = h6 &+ g
                    h7 = h7 &+ h
                    block &+= 1
                }
            }
        }
        state = (h0, h1, h2, h3, h4, h5, h6, h7)
    }
}

/// The 64 round constants K: the first 32 bits of the fractional parts of the cube roots of
/// the first 64 primes (FIPS 180-4 section 4.2.2).
private let sha256RoundConstants: [UInt32] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]
