import BigNum

/// RSA key generation with e = 65537 (in the manner of FIPS 186-5 §A.1.3, random primes).
///
/// - p and q are drawn from the system CSPRNG with their two top bits set, so n has
///   exactly the requested size; candidates with gcd(p-1, e) ≠ 1 are skipped.
/// - Each is a probable prime after trial division, Baillie-PSW and the Miller-Rabin rounds
///   of FIPS 186-5 Table B.1 for an error of at most 2^-112.
/// - |p - q| > 2^(bits/2 - 100), gcd(e, λ(n)) = 1, d = e^-1 mod λ(n) and d > 2^(bits/2).
/// - p > q, and the CRT values are computed.
public enum RSAKeyGenerator {
    /// The sizes offered by `spki keygen`.
    public static let supportedSizes = [2048, 3072, 4096]
    /// The public exponent of every generated key.
    public static let publicExponent: UInt = 65537

    /// A new key of `bits` bits (2048, 3072 or 4096) from the system CSPRNG.
    public static func generate(bits: Int = 2048) throws(RSAError) -> RSAPrivateKey {
        var generator = SystemRandomNumberGenerator()
        return try generate(bits: bits, using: &generator)
    }

    /// A new key drawn from `generator`, which must be a CSPRNG outside of tests.
    public static func generate(bits: Int, using generator: inout some RandomNumberGenerator) throws(RSAError) -> RSAPrivateKey {
        guard supportedSizes.contains(bits) else {
            throw RSAError(.unsupportedKeySize, "cannot generate a \(bits)-bit key",
                           help: "choose one of \(supportedSizes.map(String.init).joined(separator: ", ")) bits")
        }
        let e = BigNum(publicExponent)
        let half = bits / 2
        let minimumDistance = BigNum(1)
        minimumDistance.setShiftedLeft(minimumDistance, by: half - 100)
        let minimumD = BigNum(1)
        minimumD.setShiftedLeft(minimumD, by: half)
        while true {
            var p = randomPrime(bits: half, e: e, using: &generator)
            var q = randomPrime(bits: bits - half, e: e, using: &generator)
            if p < q { swap(&p, &q) }
            guard (p - q).compare(minimumDistance) > 0 else { continue }
            let n = p * q
            guard n.bitWidth == bits else { continue }
            let lambda = (p - 1).lcm(q - 1)
            guard e.gcd(lambda).compare(1) == 0, let d = e.inverse(modulo: lambda), d > minimumD else { continue }
            let (dP, dQ, qInv) = try RSAPrivateKey.crtValues(d: d, p: p, q: q)
            return try RSAPrivateKey(n: n.copy(secret: false), e: e, d: d, p: p, q: q, dP: dP, dQ: dQ, qInv: qInv)
        }
    }

    /// A random probable prime of exactly `bits` bits with its two top bits set and
    /// gcd(prime - 1, e) = 1.
    static func randomPrime(bits: Int, e: BigNum, using generator: inout some RandomNumberGenerator) -> BigNum {
        let rounds = BigNum.millerRabinRounds(forPrimeBits: bits)
        let eValue = e.uintValue!
        while true {
            let candidate = BigNum.random(bits: bits, secret: true, using: &generator)
            candidate.setBit(bits - 1)
            candidate.setBit(bits - 2)
            candidate.setBit(0)
            // e = 65537 is prime, so gcd(candidate - 1, e) = 1 exactly when candidate mod e != 1.
            guard candidate.remainder(eValue) != 1 else { continue }
            if candidate.isProbablePrime(millerRabinRounds: rounds) { return candidate }
        }
    }
}
