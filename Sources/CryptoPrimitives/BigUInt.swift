/// An unsigned integer of any size: the numbers of an RSA key, message representative and
/// signature, read from and written as big-endian bytes (RFC 8017's OS2IP and I2OSP).
///
/// Offers what RSA needs around its exponentiations (comparison, addition, subtraction,
/// multiplication and the remainder of a division); the exponentiations themselves are
/// `MontgomeryModulus.power(_:_:)`. Sizes here are at most a few hundred digits, so the
/// schoolbook methods are used throughout.
struct BigUInt: Sendable, Equatable, Comparable {
    /// 64-bit digits, least significant first, with no zero digit on top (zero has none).
    private(set) var limbs: [UInt64]

    init(limbs: [UInt64]) {
        var limbs = limbs
        while limbs.last == 0 { limbs.removeLast() }
        self.limbs = limbs
    }

    init(_ value: UInt64) {
        limbs = value == 0 ? [] : [value]
    }

    /// The number whose big-endian bytes are `bytes` (leading zeros allowed).
    init(bigEndian bytes: some BidirectionalCollection<UInt8>) {
        var limbs: [UInt64] = []
        limbs.reserveCapacity(bytes.count / 8 + 1)
        var limb: UInt64 = 0
        var shift: UInt64 = 0
        for byte in bytes.reversed() {
            limb |= UInt64(byte) << shift
            shift += 8
            if shift == 64 {
                limbs.append(limb)
                limb = 0
                shift = 0
            }
        }
        limbs.append(limb)
        self.init(limbs: limbs)
    }

    /// The number as exactly `count` big-endian bytes, zeros in front.
    /// - Precondition: the number fits, `byteWidth <= count`.
    func bigEndianBytes(count: Int) -> [UInt8] {
        precondition(byteWidth <= count, "BigUInt does not fit in \(count) bytes")
        var bytes = [UInt8](repeating: 0, count: count)
        for index in 0..<min(count, limbs.count * 8) {
            bytes[count - 1 - index] = UInt8(truncatingIfNeeded: limbs[index / 8] >> UInt64(index % 8 * 8))
        }
        return bytes
    }

    var isZero: Bool { limbs.isEmpty }
    var isOdd: Bool { (limbs.first ?? 0) & 1 == 1 }

    /// Number of bits up to and including the highest one bit (0 for zero).
    var bitWidth: Int {
        guard let top = limbs.last else { return 0 }
        return limbs.count * 64 - top.leadingZeroBitCount
    }

    /// Number of bytes the number needs (0 for zero).
    var byteWidth: Int { (bitWidth + 7) / 8 }

    static func < (lhs: BigUInt, rhs: BigUInt) -> Bool {
        guard lhs.limbs.count == rhs.limbs.count else { return lhs.limbs.count < rhs.limbs.count }
        for index in lhs.limbs.indices.reversed() where lhs.limbs[index] != rhs.limbs[index] {
            return lhs.limbs[index] < rhs.limbs[index]
        }
        return false
    }

    static func + (lhs: BigUInt, rhs: BigUInt) -> BigUInt {
        let (long, short) = lhs.limbs.count >= rhs.limbs.count ? (lhs.limbs, rhs.limbs) : (rhs.limbs, lhs.limbs)
        var sum = long
        var carry: UInt64 = 0
        for index in long.indices {
            let (partial, overflow1) = sum[index].addingReportingOverflow(index < short.count ? short[index] : 0)
            let (total, overflow2) = partial.addingReportingOverflow(carry)
            sum[index] = total
            carry = overflow1 || overflow2 ? 1 : 0
        }
        sum.append(carry)
        return BigUInt(limbs: sum)
    }

    /// - Precondition: `lhs >= rhs`.
    static func - (lhs: BigUInt, rhs: BigUInt) -> BigUInt {
        precondition(lhs >= rhs, "BigUInt subtraction below zero")
        var difference = lhs.limbs
        var borrow: UInt64 = 0
        for index in difference.indices {
            let (partial, overflow1) = difference[index].subtractingReportingOverflow(index < rhs.limbs.count ? rhs.limbs[index] : 0)
            let (total, overflow2) = partial.subtractingReportingOverflow(borrow)
            difference[index] = total
            borrow = overflow1 || overflow2 ? 1 : 0
        }
        return BigUInt(limbs: difference)
    }

    static func * (lhs: BigUInt, rhs: BigUInt) -> BigUInt {
        guard !lhs.isZero, !rhs.isZero else { return BigUInt(0) }
        var product = [UInt64](repeating: 0, count: lhs.limbs.count + rhs.limbs.count)
        for i in lhs.limbs.indices {
            var carry: UInt64 = 0
            for j in rhs.limbs.indices {
                // product[i + j] + lhs[i] * rhs[j] + carry < 2^128: no overflow.
                let (high, low) = lhs.limbs[i].multipliedFullWidth(by: rhs.limbs[j])
                let (partial, overflow1) = low.addingReportingOverflow(product[i + j])
                let (total, overflow2) = partial.addingReportingOverflow(carry)
                product[i + j] = total
                carry = high &+ (overflow1 ? 1 : 0) &+ (overflow2 ? 1 : 0)
            }
            product[i + rhs.limbs.count] = carry
        }
        return BigUInt(limbs: product)
    }

    /// The remainder of `dividend / divisor`, by long division (Knuth, The Art of Computer
    /// Programming vol. 2, 4.3.1, algorithm D).
    /// - Precondition: `divisor` is not zero.
    static func % (dividend: BigUInt, divisor: BigUInt) -> BigUInt {
        precondition(!divisor.isZero, "BigUInt division by zero")
        guard dividend >= divisor else { return dividend }
        let n = divisor.limbs.count
        if n == 1 {
            let single = divisor.limbs[0]
            var remainder: UInt64 = 0
            for limb in dividend.limbs.reversed() {
                remainder = single.dividingFullWidth((high: remainder, low: limb)).remainder
            }
            return BigUInt(remainder)
        }
        // D1: shift both so the divisor's top digit has its high bit set, which keeps each
        // estimated quotient digit at most two too large. The dividend gains a digit on top.
        let shift = divisor.limbs[n - 1].leadingZeroBitCount
        let v = Array(shiftedLeft(divisor.limbs, by: shift).prefix(n))
        var u = shiftedLeft(dividend.limbs, by: shift)
        let vTop = v[n - 1], vNext = v[n - 2]
        for j in stride(from: u.count - n - 1, through: 0, by: -1) {
            // D3: estimate the quotient digit from the top two digits of the current remainder
            // and correct it with the divisor's second digit.
            var estimate: UInt64
            var rest: UInt64
            var restOverflowed = false
            if u[j + n] >= vTop {
                // Only equality is possible; the digit is then b - 1 (or less).
                estimate = .max
                (rest, restOverflowed) = u[j + n - 1].addingReportingOverflow(vTop)
            } else {
                (estimate, rest) = vTop.dividingFullWidth((high: u[j + n], low: u[j + n - 1]))
            }
            while !restOverflowed {
                let product = estimate.multipliedFullWidth(by: vNext)
                guard product.high > rest || (product.high == rest && product.low > u[j + n - 2]) else { break }
                estimate -= 1
                (rest, restOverflowed) = rest.addingReportingOverflow(vTop)
            }
            // D4: subtract estimate * v from the current remainder.
            var carry: UInt64 = 0
            var borrow: UInt64 = 0
            for i in 0..<n {
                let (high, low) = estimate.multipliedFullWidth(by: v[i])
                let (subtrahend, overflow) = low.addingReportingOverflow(carry)
                carry = high &+ (overflow ? 1 : 0)
                let (partial, borrow1) = u[i + j].subtractingReportingOverflow(subtrahend)
                let (total, borrow2) = partial.subtractingReportingOverflow(borrow)
                u[i + j] = total
                borrow = (borrow1 ? 1 : 0) + (borrow2 ? 1 : 0)
            }
            let (partial, borrow1) = u[j + n].subtractingReportingOverflow(carry)
            let (total, borrow2) = partial.subtractingReportingOverflow(borrow)
            u[j + n] = total
            if borrow1 || borrow2 {
                // D6: the estimate was one too large (rare); add the divisor back.
                var carry: UInt64 = 0
                for i in 0..<n {
                    let (partial, overflow1) = u[i + j].addingReportingOverflow(v[i])
                    let (total, overflow2) = partial.addingReportingOverflow(carry)
                    u[i + j] = total
                    carry = (overflow1 ? 1 : 0) + (overflow2 ? 1 : 0)
                }
                u[j + n] &+= carry
            }
        }
        // D8: the remainder is in u's low n digits, still shifted.
        var remainder = Array(u.prefix(n))
        if shift > 0 {
            for i in 0..<n {
                remainder[i] = remainder[i] >> UInt64(shift) | (i + 1 < n ? remainder[i + 1] << UInt64(64 - shift) : 0)
            }
        }
        return BigUInt(limbs: remainder)
    }

    /// `limbs` times 2^shift (shift below 64), one digit longer.
    private static func shiftedLeft(_ limbs: [UInt64], by shift: Int) -> [UInt64] {
        var result = limbs + [0]
        guard shift > 0 else { return result }
        for i in stride(from: limbs.count, through: 1, by: -1) {
            result[i] = limbs[i - 1] >> UInt64(64 - shift) | (i < limbs.count ? limbs[i] << UInt64(shift) : 0)
        }
        result[0] = limbs.first.map { $0 << UInt64(shift) } ?? 0
        return result
    }
}
