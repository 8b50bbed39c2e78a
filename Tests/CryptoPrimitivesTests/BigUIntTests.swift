@testable import CryptoPrimitives
import Testing

extension CPUBoundTests {
    /// The big-integer arithmetic under RSA, checked against slow bit-by-bit references on
    /// numbers built to reach the rare paths (Knuth's add-back step, carries through all-ones
    /// digits, one-digit moduli).
    struct BigUIntTests {
        /// Digits that make carries and quotient estimates misbehave, mixed with random ones.
        static func awkwardNumber(digits: Int, using generator: inout some RandomNumberGenerator) -> BigUInt {
            let special: [UInt64] = [0, 1, .max, .max - 1, 1 << 63, (1 << 63) - 1, 1 << 32, (1 << 32) - 1]
            return BigUInt(limbs: (0..<digits).map { _ in
                Bool.random(using: &generator) ? special.randomElement(using: &generator) ?? 0 : generator.next()
            })
        }

        /// dividend mod divisor by shift-and-subtract, one bit at a time.
        static func referenceRemainder(_ dividend: BigUInt, _ divisor: BigUInt) -> BigUInt {
            var remainder = BigUInt(0)
            for bit in stride(from: dividend.bitWidth - 1, through: 0, by: -1) {
                remainder = remainder + remainder
                if dividend.limbs[bit / 64] >> UInt64(bit % 64) & 1 == 1 { remainder = remainder + BigUInt(1) }
                if remainder >= divisor { remainder = remainder - divisor }
            }
            return remainder
        }

        /// base^exponent mod modulus by square-and-multiply with `%`.
        static func referencePower(_ base: BigUInt, _ exponent: BigUInt, _ modulus: BigUInt) -> BigUInt {
            var result = BigUInt(1) % modulus
            for bit in stride(from: exponent.bitWidth - 1, through: 0, by: -1) {
                result = result * result % modulus
                if exponent.limbs[bit / 64] >> UInt64(bit % 64) & 1 == 1 { result = result * base % modulus }
            }
            return result
        }

        @Test func bytesRoundTripAndLeadingZerosDoNotCount() {
            let bytes: [UInt8] = Array(1...20)
            let number = BigUInt(bigEndian: [0, 0, 0] + bytes)
            #expect(number.byteWidth == 20)
            #expect(number.bitWidth == 153)  // 19 whole bytes and the 1 bit of 0x01
            #expect(number.bigEndianBytes(count: 20) == bytes)
            #expect(number.bigEndianBytes(count: 24) == [0, 0, 0, 0] + bytes)
            #expect(BigUInt(bigEndian: [UInt8]()).isZero)
            #expect(BigUInt(bigEndian: [0, 0]) == BigUInt(0))
            #expect(BigUInt(0).bigEndianBytes(count: 2) == [0, 0])
        }

        @Test func remainderMatchesTheBitByBitReference() {
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<400 {
                let divisorDigits = Int.random(in: 1...5, using: &generator)
                let dividend = Self.awkwardNumber(digits: Int.random(in: 0...10, using: &generator), using: &generator)
                let divisor = Self.awkwardNumber(digits: divisorDigits, using: &generator)
                guard !divisor.isZero else { continue }
                #expect(dividend % divisor == Self.referenceRemainder(dividend, divisor), "\(dividend.limbs) % \(divisor.limbs)")
            }
        }

        @Test func remainderTakesTheAddBackStep() {
            // Knuth's step D6 (the estimated quotient digit one too large), as in the classic
            // test case of Hacker's Delight's divmnu, with 64-bit digits.
            let dividend = BigUInt(limbs: [0, 0, 1 << 63, (1 << 63) - 1])
            let divisor = BigUInt(limbs: [1, 0, 1 << 63])
            #expect(dividend % divisor == Self.referenceRemainder(dividend, divisor))
        }

        @Test func productsAndSumsUndoEachOther() {
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<200 {
                let a = Self.awkwardNumber(digits: Int.random(in: 0...6, using: &generator), using: &generator)
                let b = Self.awkwardNumber(digits: Int.random(in: 1...6, using: &generator), using: &generator)
                guard !b.isZero else { continue }
                let r = Self.awkwardNumber(digits: b.limbs.count, using: &generator) % b
                // (a·b + r) mod b = r, and (a + b) - b = a.
                #expect((a * b + r) % b == r)
                #expect(a + b - b == a)
                #expect(a * b == b * a)
            }
        }

        @Test func montgomeryPowerMatchesTheReference() throws {
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<60 {
                var modulus = Self.awkwardNumber(digits: Int.random(in: 1...4, using: &generator), using: &generator)
                modulus = BigUInt(limbs: modulus.limbs.isEmpty ? [3] : modulus.limbs.enumerated().map { $0 == 0 ? $1 | 1 : $1 })
                guard let context = MontgomeryModulus(modulus) else { continue }
                let base = Self.awkwardNumber(digits: Int.random(in: 0...5, using: &generator), using: &generator)
                let exponent = Self.awkwardNumber(digits: Int.random(in: 0...2, using: &generator), using: &generator)
                #expect(context.power(base, exponent) == Self.referencePower(base, exponent, modulus),
                        "\(base.limbs)^\(exponent.limbs) mod \(modulus.limbs)")
            }
            #expect(MontgomeryModulus(BigUInt(1)) == nil)
            #expect(MontgomeryModulus(BigUInt(10)) == nil)
            let small = try #require(MontgomeryModulus(BigUInt(13)))
            #expect(small.power(BigUInt(2), BigUInt(0)) == BigUInt(1))
            #expect(small.power(BigUInt(2), BigUInt(12)) == BigUInt(1))
            #expect(small.power(BigUInt(13 * 5 + 2), BigUInt(3)) == BigUInt(8))
        }
    }
}
