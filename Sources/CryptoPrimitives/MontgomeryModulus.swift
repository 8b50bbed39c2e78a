/// Modular arithmetic for one odd modulus in Montgomery form: the RSA operations' engine.
///
/// Numbers are little-endian arrays of 32-bit limbs, as long as the modulus. Multiplication is
/// Montgomery's (CIOS), so no division is ever needed; `power` is left-to-right square and
/// multiply.
struct MontgomeryModulus: Sendable {
    let modulus: [UInt32]
    /// -modulus⁻¹ mod 2³².
    private let inverse: UInt32
    /// R² mod modulus, R = 2^(32·limbs).
    private let rSquared: [UInt32]

    /// nil unless `modulus` (big-endian bytes) is odd and greater than 1.
    init?(bigEndian bytes: [UInt8]) {
        let limbs = Self.limbs(bigEndian: bytes)
        guard let first = limbs.first, first & 1 == 1, limbs.count > 1 || first > 1 else { return nil }
        modulus = limbs
        var x: UInt32 = 1  // Newton: x ← x·(2 − n·x) doubles the correct low bits each time.
        for _ in 0..<5 { x = x &* (2 &- first &* x) }
        inverse = 0 &- x
        // R² mod n by doubling 1 (2·32·limbs times), subtracting n whenever it goes over.
        var value = [UInt32](repeating: 0, count: limbs.count)
        value[0] = 1
        for _ in 0..<(64 * limbs.count) { Self.doubleModulo(&value, limbs) }
        rSquared = value
    }

    var byteCount: Int { (bitCount + 7) / 8 }

    var bitCount: Int {
        guard let top = modulus.lastIndex(where: { $0 != 0 }) else { return 0 }
        return top * 32 + (32 - modulus[top].leadingZeroBitCount)
    }

    /// base^exponent mod modulus; `base` (big-endian) must be smaller than the modulus.
    func power(_ base: [UInt8], _ exponent: [UInt8]) -> [UInt8] {
        let x = multiply(Self.limbs(bigEndian: base, count: modulus.count), rSquared)
        var one = [UInt32](repeating: 0, count: modulus.count)
        one[0] = 1
        var result = multiply(one, rSquared)
        for byte in exponent.drop(while: { $0 == 0 }) {
            for bit in (0..<8).reversed() {
                result = multiply(result, result)
                if byte >> bit & 1 == 1 { result = multiply(result, x) }
            }
        }
        return Self.bigEndian(multiply(result, one), count: byteCount)
    }

    /// a·b·R⁻¹ mod modulus (CIOS).
    func multiply(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        let count = modulus.count
        var t = [UInt32](repeating: 0, count: count + 2)
        let inverse = self.inverse
        t.withUnsafeMutableBufferPointer { t in
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    modulus.withUnsafeBufferPointer { n in
                        for i in 0..<count {
                            var carry: UInt64 = 0
                            let bi = UInt64(b[i])
                            for j in 0..<count {
                                let sum = UInt64(t[j]) &+ UInt64(a[j]) &* bi &+ carry
                                t[j] = UInt32(truncatingIfNeeded: sum)
                                carry = sum >> 32
                            }
                            var sum = UInt64(t[count]) &+ carry
                            t[count] = UInt32(truncatingIfNeeded: sum)
                            t[count + 1] = UInt32(sum >> 32)
                            let m = UInt64(t[0] &* inverse)
                            sum = UInt64(t[0]) &+ m &* UInt64(n[0])
                            carry = sum >> 32
                            for j in 1..<count {
                                sum = UInt64(t[j]) &+ m &* UInt64(n[j]) &+ carry
                                t[j - 1] = UInt32(truncatingIfNeeded: sum)
                                carry = sum >> 32
                            }
                            sum = UInt64(t[count]) &+ carry
                            t[count - 1] = UInt32(truncatingIfNeeded: sum)
                            t[count] = t[count + 1] &+ UInt32(sum >> 32)
                        }
                    }
                }
            }
        }
        var result = Array(t[0..<count])
        if t[count] != 0 || !Self.less(result, modulus) { Self.subtract(&result, modulus) }
        return result
    }

    // MARK: - Limb helpers

    static func limbs(bigEndian bytes: [UInt8], count: Int? = nil) -> [UInt32] {
        let significant = Array(bytes.drop(while: { $0 == 0 }))
        var limbs = [UInt32](repeating: 0, count: max(count ?? 0, (significant.count + 3) / 4, 1))
        for (index, byte) in significant.reversed().enumerated() { limbs[index / 4] |= UInt32(byte) << (8 * UInt32(index % 4)) }
        return limbs
    }

    static func bigEndian(_ limbs: [UInt32], count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            let limb = index / 4
            if limb < limbs.count { bytes[count - 1 - index] = UInt8(truncatingIfNeeded: limbs[limb] >> (8 * UInt32(index % 4))) }
        }
        return bytes
    }

    static func less(_ a: [UInt32], _ b: [UInt32]) -> Bool {
        for index in stride(from: max(a.count, b.count) - 1, through: 0, by: -1) {
            let x = index < a.count ? a[index] : 0, y = index < b.count ? b[index] : 0
            if x != y { return x < y }
        }
        return false
    }

    static func subtract(_ a: inout [UInt32], _ b: [UInt32]) {
        var borrow: Int64 = 0
        for index in a.indices {
            let difference = Int64(a[index]) - Int64(index < b.count ? b[index] : 0) - borrow
            a[index] = UInt32(truncatingIfNeeded: difference)
            borrow = difference < 0 ? 1 : 0
        }
    }

    private static func doubleModulo(_ value: inout [UInt32], _ modulus: [UInt32]) {
        var carry: UInt32 = 0
        for index in value.indices {
            let next = value[index] >> 31
            value[index] = value[index] << 1 | carry
            carry = next
        }
        if carry != 0 || !less(value, modulus) { subtract(&value, modulus) }
    }
}
