/// An odd modulus prepared for Montgomery multiplication, and modular exponentiation with it:
/// RSA's private operation (modulo p and modulo q) and its public one (modulo n).
///
/// Numbers are kept in Montgomery form x·R mod m with R = 2^(64·digits), where multiplying
/// needs no division (coarsely integrated operand scanning, "CIOS"). Exponentiation uses
/// fixed 4-bit windows: every window costs the same four squarings and one multiplication,
/// the table entry is picked by reading all sixteen, and the final subtraction of each
/// multiplication is masked rather than branched, so the exponent's bits do not choose which
/// work is done (best effort in Swift, not an audited constant-time implementation).
///
/// The inner loops are written to be fast in debug builds too (a 2048-bit signature takes
/// about 15 ms of CPU there): raw pointers, wrapping arithmetic, `while` loops, and carries
/// turned into 0 or 1 with `unsafeBitCast` instead of `flag ? 1 : 0`, since carries are as
/// good as random and a mispredicted branch per digit costs more than the arithmetic.
struct MontgomeryModulus: Sendable {
    /// The modulus m.
    let modulus: BigUInt
    /// m's digits, least significant first.
    private let digits: [UInt64]
    /// -m⁻¹ mod 2^64.
    private let inverse: UInt64
    /// R² mod m, as many digits as m: multiplying by it converts into Montgomery form.
    private let rSquared: [UInt64]

    /// Nil unless `modulus` is odd and above 1.
    init?(_ modulus: BigUInt) {
        guard modulus.isOdd, modulus > BigUInt(1) else { return nil }
        self.modulus = modulus
        digits = modulus.limbs
        // Newton's iteration doubles the correct low bits each step: m·m ≡ 1 mod 8 for odd m,
        // so 3 → 6 → 12 → 24 → 48 → 96 ≥ 64 bits after five steps.
        let low = digits[0]
        var x = low
        for _ in 0..<5 { x = x &* (2 &- low &* x) }
        inverse = 0 &- x
        let r2 = BigUInt(limbs: [UInt64](repeating: 0, count: 2 * digits.count) + [1]) % modulus
        rSquared = r2.limbs + [UInt64](repeating: 0, count: digits.count - r2.limbs.count)
    }

    /// base^exponent mod m (base need not be reduced).
    func power(_ base: BigUInt, _ exponent: BigUInt) -> BigUInt {
        let count = digits.count
        let reduced = (base % modulus).limbs
        let exponentDigits = exponent.limbs
        let windowCount = (exponent.bitWidth + 3) / 4

        // One allocation for everything: the modulus, R², the base, a plain one, the sixteen
        // table entries, the accumulator, the picked entry, the product and the exponent.
        let capacity = 23 * count + 2 + exponentDigits.count
        let memory = UnsafeMutablePointer<UInt64>.allocate(capacity: capacity)
        defer { memory.deallocate() }
        memory.initialize(repeating: 0, count: capacity)
        let m = memory, r2 = m + count, plainBase = r2 + count, one = plainBase + count
        let table = one + count, accumulator = table + 16 * count, picked = accumulator + count
        let product = picked + count, e = product + count + 2
        m.update(from: digits, count: count)
        r2.update(from: rSquared, count: count)
        plainBase.update(from: reduced, count: reduced.count)
        one[0] = 1
        e.update(from: exponentDigits, count: exponentDigits.count)

        let inverse = self.inverse
        func multiply(_ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, into target: UnsafeMutablePointer<UInt64>) {
            Self.multiply(a, b, into: target, modulus: m, inverse: inverse, count: count, scratch: product)
        }
        // table[k] = base^k in Montgomery form; table[0] is R mod m, Montgomery's one.
        multiply(one, r2, into: table)
        multiply(plainBase, r2, into: table + count)
        var k = 2
        while k < 16 {
            multiply(table + (k &- 1) &* count, table + count, into: table + k &* count)
            k &+= 1
        }
        accumulator.update(from: table, count: count)
        var window = windowCount &- 1
        while window >= 0 {
            if window != windowCount &- 1 {
                multiply(accumulator, accumulator, into: accumulator)
                multiply(accumulator, accumulator, into: accumulator)
                multiply(accumulator, accumulator, into: accumulator)
                multiply(accumulator, accumulator, into: accumulator)
            }
            let bit = window &* 4
            let digit = Int(truncatingIfNeeded: e[bit / 64] >> UInt64(bit % 64) & 0xf)
            // picked = table[digit], reading every entry.
            picked.update(repeating: 0, count: count)
            k = 0
            while k < 16 {
                let difference = UInt64(truncatingIfNeeded: k ^ digit)
                let mask = ((difference | (0 &- difference)) >> 63) &- 1
                let entry = table + k &* count
                var i = 0
                while i < count {
                    picked[i] |= entry[i] & mask
                    i &+= 1
                }
                k &+= 1
            }
            multiply(accumulator, picked, into: accumulator)
            window &-= 1
        }
        // Out of Montgomery form: multiply by a plain one.
        multiply(accumulator, one, into: accumulator)
        return BigUInt(limbs: Array(UnsafeBufferPointer(start: accumulator, count: count)))
    }

    /// target = a·b·R⁻¹ mod m, for a, b < m; `target` may be `a` or `b`. `scratch` holds
    /// count + 2 digits.
    private static func multiply(
        _ a: UnsafePointer<UInt64>, _ b: UnsafePointer<UInt64>, into target: UnsafeMutablePointer<UInt64>,
        modulus m: UnsafePointer<UInt64>, inverse: UInt64, count: Int, scratch t: UnsafeMutablePointer<UInt64>
    ) {
        t.update(repeating: 0, count: count &+ 2)
        var i = 0
        while i < count {
            // t += a·b[i]
            let bi = b[i]
            var carry: UInt64 = 0
            var j = 0
            while j < count {
                let (high, low) = a[j].multipliedFullWidth(by: bi)
                let (partial, overflow1) = low.addingReportingOverflow(t[j])
                let (total, overflow2) = partial.addingReportingOverflow(carry)
                t[j] = total
                carry = high &+ UInt64(unsafeBitCast(overflow1, to: UInt8.self)) &+ UInt64(unsafeBitCast(overflow2, to: UInt8.self))
                j &+= 1
            }
            let (top, topOverflow) = t[count].addingReportingOverflow(carry)
            t[count] = top
            t[count &+ 1] = UInt64(unsafeBitCast(topOverflow, to: UInt8.self))
            // t = (t + q·m) / 2^64, with q chosen so the low digit becomes zero.
            let q = t[0] &* inverse
            let (high0, low0) = q.multipliedFullWidth(by: m[0])
            carry = high0 &+ UInt64(unsafeBitCast(low0.addingReportingOverflow(t[0]).overflow, to: UInt8.self))
            j = 1
            while j < count {
                let (high, low) = q.multipliedFullWidth(by: m[j])
                let (partial, overflow1) = low.addingReportingOverflow(t[j])
                let (total, overflow2) = partial.addingReportingOverflow(carry)
                t[j &- 1] = total
                carry = high &+ UInt64(unsafeBitCast(overflow1, to: UInt8.self)) &+ UInt64(unsafeBitCast(overflow2, to: UInt8.self))
                j &+= 1
            }
            let (shifted, shiftedOverflow) = t[count].addingReportingOverflow(carry)
            t[count &- 1] = shifted
            t[count] = t[count &+ 1] &+ UInt64(unsafeBitCast(shiftedOverflow, to: UInt8.self))
            i &+= 1
        }
        // Now t < 2m: keep t - m unless that went below zero.
        var borrow: UInt64 = 0
        var j = 0
        while j < count {
            let (partial, borrow1) = t[j].subtractingReportingOverflow(m[j])
            let (total, borrow2) = partial.subtractingReportingOverflow(borrow)
            target[j] = total
            borrow = UInt64(unsafeBitCast(borrow1, to: UInt8.self)) | UInt64(unsafeBitCast(borrow2, to: UInt8.self))
            j &+= 1
        }
        let keepT = 0 &- (borrow & (t[count] ^ 1))  // all ones when t - m < 0
        j = 0
        while j < count {
            target[j] = (target[j] & ~keepT) | (t[j] & keepT)
            j &+= 1
        }
    }
}
