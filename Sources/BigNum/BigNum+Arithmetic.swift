import CGMP

// MARK: - In-place arithmetic (the result is `self`; operands may alias it)

extension BigNum {
    /// `self = value`.
    public func set(_ value: BigNum) { cgmp_set(raw, value.raw) }

    /// `self = value`.
    public func set(_ value: UInt) { cgmp_set_ui(raw, value) }

    /// Exchanges the values (and allocations) of `self` and `other` in O(1).
    /// Both must have the same secrecy, so that no secret ends up in a public value.
    public func swapValue(with other: BigNum) {
        precondition(isSecret == other.isSecret, "swapping a secret into a public value")
        cgmp_swap(raw, other.raw)
    }

    /// `self = a + b`.
    public func setSum(_ a: BigNum, _ b: BigNum) { cgmp_add(raw, a.raw, b.raw) }

    /// `self = a + b`.
    public func setSum(_ a: BigNum, _ b: UInt) { cgmp_add_ui(raw, a.raw, b) }

    /// `self = a - b`.
    public func setDifference(_ a: BigNum, _ b: BigNum) { cgmp_sub(raw, a.raw, b.raw) }

    /// `self = a - b`.
    public func setDifference(_ a: BigNum, _ b: UInt) { cgmp_sub_ui(raw, a.raw, b) }

    /// `self = a * b`.
    public func setProduct(_ a: BigNum, _ b: BigNum) { cgmp_mul(raw, a.raw, b.raw) }

    /// `self = a * b`.
    public func setProduct(_ a: BigNum, _ b: UInt) { cgmp_mul_ui(raw, a.raw, b) }

    /// `self = a * 2^bits`.
    public func setShiftedLeft(_ a: BigNum, by bits: Int) { cgmp_mul_2exp(raw, a.raw, mp_bitcnt_t(bits)) }

    /// `self = a / 2^bits`, truncated.
    public func setShiftedRight(_ a: BigNum, by bits: Int) { cgmp_tdiv_q_2exp(raw, a.raw, mp_bitcnt_t(bits)) }

    /// `self = a mod m`, in `0 ..< |m|`. `m` must not be zero.
    public func setRemainder(_ a: BigNum, modulo m: BigNum) {
        precondition(!m.isZero, "modulo zero")
        cgmp_mod(raw, a.raw, m.raw)
    }

    /// `self = floor(a / b)`. `b` must not be zero.
    public func setQuotient(_ a: BigNum, _ b: BigNum) {
        precondition(!b.isZero, "division by zero")
        cgmp_fdiv_q(raw, a.raw, b.raw)
    }

    /// `self = a / b` when `b` is known to divide `a` exactly (faster than a division).
    public func setExactQuotient(_ a: BigNum, _ b: BigNum) {
        precondition(!b.isZero, "division by zero")
        cgmp_divexact(raw, a.raw, b.raw)
    }

    /// `self = base^exponent mod m` with GMP's fastest algorithm, whose timing depends on
    /// the operands: only for public values (verification, encryption).
    /// `exponent` must be non-negative and `m` non-zero.
    public func setPower(_ base: BigNum, _ exponent: BigNum, modulo m: BigNum) {
        precondition(!m.isZero && !exponent.isNegative, "invalid modular exponentiation")
        cgmp_powm(raw, base.raw, exponent.raw, m.raw)
    }

    /// `self = base^exponent mod m` in time and memory access pattern independent of the
    /// base and exponent values (`mpz_powm_sec`), for secret exponents.
    /// `exponent` must be positive and `m` odd.
    public func setPowerSecure(_ base: BigNum, _ exponent: BigNum, modulo m: BigNum) {
        precondition(m.isOdd && exponent.signum > 0, "mpz_powm_sec needs an odd modulus and a positive exponent")
        cgmp_powm_sec(raw, base.raw, exponent.raw, m.raw)
    }

    /// `self = a^-1 mod m`. Returns `false`, leaving `self` unspecified, when `a` has no
    /// inverse modulo `m`.
    @discardableResult
    public func setInverse(_ a: BigNum, modulo m: BigNum) -> Bool {
        precondition(!m.isZero, "modulo zero")
        return cgmp_invert(raw, a.raw, m.raw) != 0
    }

    /// `self = gcd(a, b)`, non-negative.
    public func setGCD(_ a: BigNum, _ b: BigNum) { cgmp_gcd(raw, a.raw, b.raw) }

    /// `self = lcm(a, b)`, non-negative.
    public func setLCM(_ a: BigNum, _ b: BigNum) { cgmp_lcm(raw, a.raw, b.raw) }

    /// `self = -a`.
    public func setNegation(_ a: BigNum) { cgmp_neg(raw, a.raw) }

    /// `self mod m` for a small `m`, in `0 ..< m`.
    public func remainder(_ m: UInt) -> UInt {
        precondition(m != 0, "modulo zero")
        return cgmp_fdiv_ui(raw, m)
    }
}

// MARK: - Out-of-place arithmetic (allocates the result; secret if any operand is)

extension BigNum {
    private func result(_ others: BigNum...) -> BigNum {
        BigNum(secret: isSecret || others.contains { $0.isSecret })
    }

    public static func + (lhs: BigNum, rhs: BigNum) -> BigNum {
        let r = lhs.result(rhs); r.setSum(lhs, rhs); return r
    }

    public static func + (lhs: BigNum, rhs: UInt) -> BigNum {
        let r = lhs.result(); r.setSum(lhs, rhs); return r
    }

    public static func - (lhs: BigNum, rhs: BigNum) -> BigNum {
        let r = lhs.result(rhs); r.setDifference(lhs, rhs); return r
    }

    public static func - (lhs: BigNum, rhs: UInt) -> BigNum {
        let r = lhs.result(); r.setDifference(lhs, rhs); return r
    }

    public static func * (lhs: BigNum, rhs: BigNum) -> BigNum {
        let r = lhs.result(rhs); r.setProduct(lhs, rhs); return r
    }

    public static func * (lhs: BigNum, rhs: UInt) -> BigNum {
        let r = lhs.result(); r.setProduct(lhs, rhs); return r
    }

    /// `self mod m`, in `0 ..< |m|`.
    public func mod(_ m: BigNum) -> BigNum {
        let r = result(m); r.setRemainder(self, modulo: m); return r
    }

    /// `floor(self / divisor)`.
    public func quotient(_ divisor: BigNum) -> BigNum {
        let r = result(divisor); r.setQuotient(self, divisor); return r
    }

    /// `self^exponent mod m`, variable time: public values only.
    public func power(_ exponent: BigNum, modulo m: BigNum) -> BigNum {
        let r = result(exponent, m); r.setPower(self, exponent, modulo: m); return r
    }

    /// `self^exponent mod m`, constant time (`mpz_powm_sec`): for secret exponents.
    public func powerSecure(_ exponent: BigNum, modulo m: BigNum) -> BigNum {
        let r = result(exponent, m); r.setPowerSecure(self, exponent, modulo: m); return r
    }

    /// `self^-1 mod m`, or `nil` when there is none.
    public func inverse(modulo m: BigNum) -> BigNum? {
        let r = result(m)
        return r.setInverse(self, modulo: m) ? r : nil
    }

    /// `gcd(self, other)`.
    public func gcd(_ other: BigNum) -> BigNum {
        let r = result(other); r.setGCD(self, other); return r
    }

    /// `lcm(self, other)`.
    public func lcm(_ other: BigNum) -> BigNum {
        let r = result(other); r.setLCM(self, other); return r
    }
}
