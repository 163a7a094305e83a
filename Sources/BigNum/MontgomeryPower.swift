import CGMP

/// `base^e mod n` for one fixed odd modulus n and one fixed small exponent e, faster than
/// `setPower(_:_:modulo:)` when the same n and e serve many operations (RSA verification
/// and encryption with a public key), and cheap to set up for a key used once (a verifier
/// checking a chain meets each issuer's key once).
///
/// Montgomery multiplication (`MonPro(x, y) = x·y·R^-1 mod n`, R = 2^(64·limbs)): the base
/// enters the Montgomery domain by one product with the per-key constant `R^2 mod n`,
/// left-to-right square-and-multiply runs there, and one reduction leaves it. That is one
/// Montgomery product per bit of e plus two, against GMP's conversion, table and final
/// reduction in every `mpz_powm` call; setting up a key costs one division (`R^2 mod n`)
/// and the Newton iteration for `-n^-1 mod 2^64`.
///
/// Variable time: for public values only. Immutable after init, hence shareable.
public final class MontgomeryPower: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init.
    private let modulus: [mp_limb_t]
    private let negatedInverse: mp_limb_t   // -n^-1 mod 2^64
    private let squaredR: [mp_limb_t]       // R^2 mod n
    private let exponentBits: [Bool]        // bits of e after the leading 1, most significant first
    private let limbs: Int

    /// A context for `modulus` (odd, > 1) and `exponent` (1 ..< 2^62), or `nil` outside
    /// those bounds (use `setPower` then).
    public init?(modulus n: BigNum, exponent e: BigNum) {
        guard n.isOdd, n.compare(1) > 0, e.signum > 0, e.bitWidth <= 62, let exponent = e.uintValue else { return nil }
        limbs = cgmp_size(n.raw)
        modulus = Array(UnsafeBufferPointer(start: cgmp_limbs_read(n.raw), count: limbs))
        // Newton iteration for n^-1 mod 2^64: each step doubles the correct low bits.
        var inverse: mp_limb_t = modulus[0]
        for _ in 0..<6 { inverse = inverse &* (2 &- modulus[0] &* inverse) }
        negatedInverse = 0 &- inverse
        var bits: [Bool] = []
        let width = e.bitWidth
        if width >= 2 {
            for index in stride(from: width - 2, through: 0, by: -1) { bits.append((exponent >> UInt(index)) & 1 == 1) }
        }
        exponentBits = bits
        // R^2 mod n = 2^(128·limbs) mod n.
        let value = BigNum(1)
        value.setShiftedLeft(value, by: 128 * limbs)
        value.setRemainder(value, modulo: n)
        var padded = [mp_limb_t](repeating: 0, count: limbs)
        let count = cgmp_size(value.raw)
        if count > 0 {
            let source = cgmp_limbs_read(value.raw)!
            for index in 0..<count { padded[index] = source[index] }
        }
        squaredR = padded
    }

    /// `result = base^e mod n`. `base` must be in `0 ..< n`.
    public func power(_ base: BigNum, into result: BigNum) {
        precondition(!base.isNegative && cgmp_size(base.raw) <= limbs, "MontgomeryPower: base not below the modulus")
        let k = limbs
        withUnsafeTemporaryAllocation(of: mp_limb_t.self, capacity: 4 * k + 1) { scratch in
            let s = scratch.baseAddress!
            let baseCount = cgmp_size(base.raw)
            if baseCount > 0 {
                let source = cgmp_limbs_read(base.raw)!
                for index in 0..<baseCount { s[index] = source[index] }
            }
            for index in baseCount..<k { s[index] = 0 }
            run(scratch)
            let out = cgmp_limbs_write(result.raw, k)!
            for index in 0..<k { out[index] = s[k + index] }
            cgmp_limbs_finish(result.raw, k)
        }
    }

    /// `output = input^e mod n` on unsigned big-endian bytes, without allocating: the RSA
    /// public operation on a signature or message representative. `output` must have room
    /// for n; it is written in full, left-padded with zeros. Returns `false`, leaving
    /// `output` as it was, when `input` is not below n.
    public func power(bigEndian input: [UInt8], into output: inout [UInt8]) -> Bool {
        let k = limbs
        return withUnsafeTemporaryAllocation(of: mp_limb_t.self, capacity: 4 * k + 1) { scratch -> Bool in
            let s = scratch.baseAddress!
            for index in 0..<k { s[index] = 0 }
            // Bytes from the end fill limbs from the least significant.
            var position = 0
            for byte in input.reversed() {
                let limb = position >> 3
                if limb >= k {
                    if byte != 0 { return false }
                } else {
                    s[limb] |= mp_limb_t(byte) << mp_limb_t((position & 7) * 8)
                }
                position += 1
            }
            let below = modulus.withUnsafeBufferPointer { cgmp_mpn_cmp(s, $0.baseAddress!, k) < 0 }
            guard below else { return false }
            run(scratch)
            let x = s + k
            output.withUnsafeMutableBufferPointer { out in
                var position = 0
                for index in stride(from: out.count - 1, through: 0, by: -1) {
                    let limb = position >> 3
                    out[index] = limb < k ? UInt8(truncatingIfNeeded: x[limb] >> mp_limb_t((position & 7) * 8)) : 0
                    position += 1
                }
            }
            return true
        }
    }

    /// With the base in `scratch[0 ..< k]`, leaves `base^e mod n` in `scratch[k ..< 2k]`.
    /// `scratch` holds 4k + 1 limbs.
    private func run(_ scratch: UnsafeMutableBufferPointer<mp_limb_t>) {
        let k = limbs
        let s = scratch.baseAddress!           // k limbs: the base, then base·R mod n
        let x = s + k                          // k limbs: the accumulator
        let t = x + k                          // 2k + 1 limbs: products
        modulus.withUnsafeBufferPointer { m in
            squaredR.withUnsafeBufferPointer { rr in
                cgmp_mpn_mul_n(t, s, rr.baseAddress!, k)
            }
            reduce(t, into: s, m.baseAddress!)
            for index in 0..<k { x[index] = s[index] }
            for bit in exponentBits {
                cgmp_mpn_sqr(t, x, k)
                reduce(t, into: x, m.baseAddress!)
                if bit {
                    cgmp_mpn_mul_n(t, x, s, k)
                    reduce(t, into: x, m.baseAddress!)
                }
            }
            // Out of the domain: x·R^-1.
            for index in 0..<k {
                t[index] = x[index]
                t[k + index] = 0
            }
            reduce(t, into: x, m.baseAddress!)
        }
    }

    /// Montgomery reduction (REDC, one limb at a time): `r = t·R^-1 mod n` for a 2k-limb
    /// `t < n·R`; `t` is destroyed.
    @inline(__always)
    private func reduce(_ t: UnsafeMutablePointer<mp_limb_t>, into r: UnsafeMutablePointer<mp_limb_t>, _ m: UnsafePointer<mp_limb_t>) {
        let k = limbs
        var u = t
        for _ in 0..<k {
            let q = u[0] &* negatedInverse
            // u[0] becomes 0 after the addition; keep the carry limb there instead.
            u[0] = cgmp_mpn_addmul_1(u, m, k, q)
            u += 1
        }
        // r = upper half + the carries stored in the lower half; the result is below 2n.
        let carry = cgmp_mpn_add_n(r, u, u - k, k)
        if carry != 0 || cgmp_mpn_cmp(r, m, k) >= 0 {
            _ = cgmp_mpn_sub_n(r, r, m, k)
        }
    }
}
