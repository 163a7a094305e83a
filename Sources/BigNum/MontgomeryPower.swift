import CGMP

/// `base^e mod n` for one fixed odd modulus n and one fixed small exponent e, faster than
/// `setPower(_:_:modulo:)` when the same n and e serve many operations (RSA verification
/// and encryption with a public key), and nearly free to set up for a key used once (a
/// verifier checking a chain meets each issuer's key once).
///
/// Montgomery multiplication (`MonPro(x, y) = x·y·R^-1 mod n`, R = 2^(64·limbs)):
/// - the base enters the Montgomery domain by one division, `base·R mod n` (as cheap as
///   the product by a precomputed `R^2 mod n` it replaces, and it needs no per-key
///   division: setting up a key is copying its limbs and a Newton iteration for
///   `-n^-1 mod 2^64`);
/// - left-to-right square-and-multiply runs in the domain;
/// - the last step of an odd exponent multiplies by the base as it is, outside the
///   domain, which leaves the domain at the same time (`(b^(e-1)·R)·b·R^-1 = b^e`): no
///   final reduction. An even exponent ends with one reduction instead.
/// For e = 65537 that is one division, 16 squarings and one product, each with its
/// reduction.
///
/// Variable time: for public values only. Immutable after init, hence shareable.
public final class MontgomeryPower: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init.
    private let modulusNumber: BigNum       // never changed (copied or adopted)
    private let negatedInverse: mp_limb_t   // -n^-1 mod 2^64
    private let exponent: UInt64
    private let exponentWidth: Int          // bits of e
    private let limbs: Int

    /// A context for `modulus` (odd, > 1) and `exponent` (1 ..< 2^62), or `nil` outside
    /// those bounds (use `setPower` then).
    public convenience init?(modulus n: BigNum, exponent e: BigNum) {
        guard e.signum > 0, e.bitWidth <= 62, let exponent = e.uintValue else { return nil }
        // A copy: the caller may change its number afterwards.
        self.init(adopting: n.copy(secret: false), exponent: UInt64(exponent))
    }

    /// A context that keeps `modulus` itself instead of a copy of its limbs (no allocation
    /// beyond the context): the caller promises never to change that number again (an
    /// immutable key's modulus). `exponent` in 1 ..< 2^62; `nil` outside the bounds.
    package init?(adopting n: BigNum, exponent: UInt64) {
        guard n.isOdd, n.compare(1) > 0, exponent > 0, exponent < 1 << 62 else { return nil }
        let k = cgmp_size(n.raw)
        limbs = k
        modulusNumber = n
        // Newton iteration for n^-1 mod 2^64: each step doubles the correct low bits.
        let low = cgmp_limbs_read(n.raw)![0]
        var inverse: mp_limb_t = low
        for _ in 0..<6 { inverse = inverse &* (2 &- low &* inverse) }
        negatedInverse = 0 &- inverse
        self.exponent = exponent
        exponentWidth = 64 - exponent.leadingZeroBitCount
    }

    /// The modulus's limbs (the number is never changed while the context exists).
    @inline(__always)
    private var modulus: UnsafePointer<mp_limb_t> { cgmp_limbs_read(modulusNumber.raw)! }

    /// Limbs of scratch space for one operation: the base (k), the accumulator (k), the
    /// base in the domain (k), a product (2k + 1), the quotient of the division into the
    /// domain (k + 1).
    private var scratchLimbs: Int { 6 * limbs + 2 }

    /// `result = base^e mod n`. `base` must be in `0 ..< n`.
    public func power(_ base: BigNum, into result: BigNum) {
        precondition(!base.isNegative && cgmp_size(base.raw) <= limbs, "MontgomeryPower: base not below the modulus")
        let k = limbs
        withUnsafeTemporaryAllocation(of: mp_limb_t.self, capacity: scratchLimbs) { scratch in
            let s = scratch.baseAddress!
            let baseCount = cgmp_size(base.raw)
            if baseCount > 0 {
                let source = cgmp_limbs_read(base.raw)!
                for index in 0..<baseCount { s[index] = source[index] }
            }
            for index in baseCount..<k { s[index] = 0 }
            run(s)
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
        input.withUnsafeBytes { inputBytes in
            output.withUnsafeMutableBytes { outputBytes in
                power(bigEndian: inputBytes, into: outputBytes)
            }
        }
    }

    /// `output = input^e mod n` on unsigned big-endian bytes in caller-owned memory (see
    /// `power(bigEndian:into:)` on arrays).
    public func power(bigEndian input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        let k = limbs
        return withUnsafeTemporaryAllocation(of: mp_limb_t.self, capacity: scratchLimbs) { scratch -> Bool in
            let s = scratch.baseAddress!
            guard Self.load(bigEndian: input, into: s, limbs: k) else { return false }
            let below = cgmp_mpn_cmp(s, modulus, k) < 0
            guard below else { return false }
            run(s)
            Self.store(s + k, limbs: k, bigEndian: output)
            return true
        }
    }

    /// Reads big-endian bytes into `k` little-endian limbs; `false` when a non-zero byte
    /// does not fit.
    private static func load(bigEndian input: UnsafeRawBufferPointer, into s: UnsafeMutablePointer<mp_limb_t>, limbs k: Int) -> Bool {
        let count = input.count
        // Whole limbs from the end, eight bytes at a time.
        let whole = min(count / 8, k)
        for limb in 0..<whole {
            s[limb] = mp_limb_t(UInt64(bigEndian: input.loadUnaligned(fromByteOffset: count - 8 * (limb + 1), as: UInt64.self)))
        }
        for limb in whole..<k { s[limb] = 0 }
        // The bytes left in front: a partial limb if there is room for one, zeros beyond.
        var remaining = count - 8 * whole
        if whole < k {
            var value: mp_limb_t = 0
            for index in 0..<remaining { value = value << 8 | mp_limb_t(input[index]) }
            s[whole] = value
            remaining = 0
        }
        for index in 0..<remaining where input[index] != 0 { return false }
        return true
    }

    /// Writes `k` little-endian limbs as big-endian bytes filling `output`, left-padded
    /// with zeros (`output` has room for them).
    private static func store(_ x: UnsafeMutablePointer<mp_limb_t>, limbs k: Int, bigEndian output: UnsafeMutableRawBufferPointer) {
        let count = output.count
        let whole = min(count / 8, k)
        for limb in 0..<whole {
            output.storeBytes(of: UInt64(x[limb]).bigEndian, toByteOffset: count - 8 * (limb + 1), as: UInt64.self)
        }
        var front = count - 8 * whole
        if whole < k {
            var value = x[whole]
            while front > 0 {
                front -= 1
                output[front] = UInt8(truncatingIfNeeded: value)
                value >>= 8
            }
        } else {
            for index in 0..<front { output[index] = 0 }
        }
    }

    /// With the base in `s[0 ..< k]` (below n), leaves `base^e mod n` in `s[k ..< 2k]`.
    /// `s` holds `scratchLimbs` limbs.
    private func run(_ s: UnsafeMutablePointer<mp_limb_t>) {
        let k = limbs
        let x = s + k                          // k limbs: the accumulator
        let d = x + k                          // k limbs: base·R mod n
        let t = d + k                          // 2k + 1 limbs: products
        let q = t + 2 * k + 1                  // k + 1 limbs: a quotient
        if exponentWidth == 1 {                // e = 1
            for index in 0..<k { x[index] = s[index] }
            return
        }
        do {
            let m = modulus
            // Into the domain: d = base·R mod n, the remainder of (base << 64k) by n.
            for index in 0..<k {
                t[index] = 0
                t[k + index] = s[index]
            }
            cgmp_mpn_tdiv_qr(q, d, t, 2 * k, m, k)
            for index in 0..<k { x[index] = d[index] }
            var bit = exponentWidth - 2
            while bit > 0 {
                cgmp_mpn_sqr(t, x, k)
                reduce(t, into: x, m)
                if (exponent >> UInt64(bit)) & 1 == 1 {
                    cgmp_mpn_mul_n(t, x, d, k)
                    reduce(t, into: x, m)
                }
                bit -= 1
            }
            cgmp_mpn_sqr(t, x, k)
            reduce(t, into: x, m)
            if exponent & 1 == 1 {
                // x·base·R^-1 with the base outside the domain: the result leaves it.
                cgmp_mpn_mul_n(t, x, s, k)
            } else {
                for index in 0..<k {
                    t[index] = x[index]
                    t[k + index] = 0
                }
            }
            reduce(t, into: x, m)
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
