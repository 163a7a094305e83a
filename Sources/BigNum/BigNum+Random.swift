import CGMP

// MARK: - Random values and primality

extension BigNum {
    /// A uniformly random value in `0 ..< 2^bits`, drawn from `generator`.
    /// Pass `SystemRandomNumberGenerator` (the operating system's CSPRNG: `getrandom(2)` on
    /// Linux, `arc4random_buf` on Apple platforms) for anything secret.
    public static func random(bits: Int, secret: Bool, using generator: inout some RandomNumberGenerator) -> BigNum {
        precondition(bits > 0, "random value of \(bits) bits")
        let byteCount = (bits + 7) / 8
        var bytes = [UInt8](repeating: 0, count: byteCount)
        fill(&bytes, using: &generator)
        let excess = byteCount * 8 - bits
        bytes[0] &= UInt8(0xff >> excess)
        let value = BigNum(unsignedBytes: bytes, secret: secret)
        // Best effort: the array may have been copied, but this copy does not linger.
        for index in bytes.indices { bytes[index] = 0 }
        return value
    }

    /// A uniformly random value in `1 ..< bound`, by rejection sampling. `bound` > 1.
    public static func random(below bound: BigNum, secret: Bool, using generator: inout some RandomNumberGenerator) -> BigNum {
        precondition(bound.compare(1) > 0, "random value below \(bound.isSecret ? "a secret" : bound.description)")
        let bits = bound.bitWidth
        while true {
            let candidate = random(bits: bits, secret: secret, using: &generator)
            if !candidate.isZero && candidate < bound { return candidate }
        }
    }

    /// Fills `bytes` from `generator`, eight bytes at a time.
    static func fill(_ bytes: inout [UInt8], using generator: inout some RandomNumberGenerator) {
        var index = 0
        while index < bytes.count {
            var word = generator.next()
            for _ in 0..<8 where index < bytes.count {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
    }

    /// Whether the value is a probable prime: trial division, a Baillie-PSW test (no
    /// composite is known to pass it), then `millerRabinRounds` Miller-Rabin rounds with
    /// random bases (`mpz_probab_prime_p` with `24 + rounds` repetitions, GMP 6.2 and later).
    ///
    /// For random candidates, FIPS 186-5 Table B.1 bounds the error by 2^-112 with 5 rounds
    /// for 1024-bit primes and 4 rounds for 1536-bit and larger ones; see
    /// `millerRabinRounds(forPrimeBits:)`.
    public func isProbablePrime(millerRabinRounds: Int) -> Bool {
        precondition(millerRabinRounds >= 0)
        return cgmp_probab_prime(raw, Int32(24 + millerRabinRounds)) != 0
    }

    /// The Miller-Rabin rounds that bound the error of `isProbablePrime` by 2^-112 for a
    /// random candidate of `bits` bits (FIPS 186-5, Table B.1): 5 up to 1024 bits — and
    /// more, conservatively, below that — and 4 beyond.
    public static func millerRabinRounds(forPrimeBits bits: Int) -> Int {
        if bits >= 1536 { return 4 }
        if bits >= 1024 { return 5 }
        return 40
    }
}
