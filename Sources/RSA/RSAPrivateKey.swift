import BigNum
import Hashing

/// An RSA private key with its CRT parameters: p, q, d mod (p-1), d mod (q-1) and
/// q^-1 mod p (PKCS#1's exponent1, exponent2 and coefficient; SPKI's a, b and c).
///
/// Every value is held in a secret `BigNum`, whose limbs are cleared before they are freed.
/// The key is checked when it is made (n = p*q, e*d = 1 mod p-1 and q-1, and the CRT values
/// follow from d, p and q), so a corrupt key file is reported instead of producing bad
/// signatures. Immutable, hence safe to share; signing state lives in `RSASigner`.
public final class RSAPrivateKey: @unchecked Sendable {
    // @unchecked: the BigNums are created in init and never mutated afterwards.
    let n: BigNum
    let e: BigNum
    let d: BigNum
    let p: BigNum
    let q: BigNum
    let dP: BigNum
    let dQ: BigNum
    let qInv: BigNum

    /// The public half.
    public let publicKey: RSAPublicKey

    /// A key from the unsigned big-endian bytes of each value, checked for consistency.
    public convenience init(
        modulus: some Collection<UInt8>, publicExponent: some Collection<UInt8>,
        privateExponent: some Collection<UInt8>, prime1: some Collection<UInt8>, prime2: some Collection<UInt8>,
        exponent1: some Collection<UInt8>, exponent2: some Collection<UInt8>, coefficient: some Collection<UInt8>
    ) throws(RSAError) {
        try self.init(n: BigNum(unsignedBytes: modulus), e: BigNum(unsignedBytes: publicExponent),
                      d: BigNum(unsignedBytes: privateExponent, secret: true),
                      p: BigNum(unsignedBytes: prime1, secret: true), q: BigNum(unsignedBytes: prime2, secret: true),
                      dP: BigNum(unsignedBytes: exponent1, secret: true), dQ: BigNum(unsignedBytes: exponent2, secret: true),
                      qInv: BigNum(unsignedBytes: coefficient, secret: true))
    }

    /// A key from n, e, d, p and q; the CRT values are computed.
    public convenience init(
        modulus: some Collection<UInt8>, publicExponent: some Collection<UInt8>,
        privateExponent: some Collection<UInt8>, prime1: some Collection<UInt8>, prime2: some Collection<UInt8>
    ) throws(RSAError) {
        let d = BigNum(unsignedBytes: privateExponent, secret: true)
        let p = BigNum(unsignedBytes: prime1, secret: true)
        let q = BigNum(unsignedBytes: prime2, secret: true)
        try Self.checkPrimes(p, q)
        let (dP, dQ, qInv) = try Self.crtValues(d: d, p: p, q: q)
        try self.init(n: BigNum(unsignedBytes: modulus), e: BigNum(unsignedBytes: publicExponent),
                      d: d, p: p, q: q, dP: dP, dQ: dQ, qInv: qInv)
    }

    init(n: BigNum, e: BigNum, d: BigNum, p: BigNum, q: BigNum, dP: BigNum, dQ: BigNum, qInv: BigNum) throws(RSAError) {
        publicKey = try RSAPublicKey(n: n, e: e)
        try Self.checkPrimes(p, q)
        let corrupt = "the key is corrupt; restore it from a backup or generate a new one"
        guard p * q == n else {
            throw RSAError(.modulusNotProduct, "the modulus is not the product of the two primes of the private key", help: corrupt)
        }
        let pMinus1 = p - 1
        let qMinus1 = q - 1
        let ed = e * d
        guard d.signum > 0, ed.mod(pMinus1).compare(1) == 0, ed.mod(qMinus1).compare(1) == 0 else {
            throw RSAError(.privateExponentMismatch, "the private exponent d is not the inverse of the public exponent e", help: corrupt)
        }
        guard d.mod(pMinus1) == dP, d.mod(qMinus1) == dQ, dP.signum > 0, dQ.signum > 0 else {
            throw RSAError(.crtExponentMismatch, "a CRT exponent is not d mod (p-1) or d mod (q-1) (PKCS#1 exponent1 and exponent2, SPKI a and b)", help: corrupt)
        }
        guard qInv.signum > 0, qInv < p, (q * qInv).mod(p).compare(1) == 0 else {
            throw RSAError(.crtCoefficientMismatch, "the CRT coefficient is not q^-1 mod p (PKCS#1 coefficient, SPKI c)", help: corrupt)
        }
        self.n = n
        self.e = e
        self.d = d
        self.p = p
        self.q = q
        self.dP = dP
        self.dQ = dQ
        self.qInv = qInv
    }

    static func checkPrimes(_ p: BigNum, _ q: BigNum) throws(RSAError) {
        for prime in [p, q] where prime.compare(3) < 0 || prime.isEven {
            throw RSAError(.invalidPrime, "a prime factor of the private key is \(prime.compare(3) < 0 ? "smaller than 3" : "even")",
                           help: "the key is corrupt; restore it from a backup or generate a new one")
        }
        if p == q {
            throw RSAError(.invalidPrime, "the two prime factors of the private key are equal",
                           help: "the key is insecure; generate a new one")
        }
    }

    /// d mod (p-1), d mod (q-1), q^-1 mod p.
    static func crtValues(d: BigNum, p: BigNum, q: BigNum) throws(RSAError) -> (BigNum, BigNum, BigNum) {
        let dP = d.mod(p - 1)
        let dQ = d.mod(q - 1)
        guard let qInv = q.inverse(modulo: p) else {
            throw RSAError(.invalidPrime, "the two prime factors of the private key have a common factor",
                           help: "the key is corrupt; restore it from a backup or generate a new one")
        }
        return (dP, dQ, qInv)
    }

    /// The size of the modulus in bits.
    public var bitLength: Int { publicKey.bitLength }

    /// The values in PKCS#1 order (n, e, d, p, q, dP, dQ, qInv), unsigned big-endian, for
    /// serializers in this module. Callers must not log or keep them.
    var components: [[UInt8]] {
        [n, e, d, p, q, dP, dQ, qInv].map { $0.unsignedBytes()! }
    }

    // MARK: Convenience operations (each makes a fresh `RSASigner`)

    /// Signs `message` with RSASSA-PKCS1-v1_5. SHA-1 and MD5 need `allowLegacyHash`.
    public func sign(message: [UInt8], hash: HashAlgorithm = .sha256, allowLegacyHash: Bool = false) throws(RSAError) -> [UInt8] {
        try RSASigner(key: self).sign(message: message, hash: hash, allowLegacyHash: allowLegacyHash)
    }

    /// RSAES-OAEP decryption with SHA-256 and MGF1-SHA-256.
    public func decryptOAEP(_ ciphertext: [UInt8], label: [UInt8] = []) throws(RSAError) -> [UInt8] {
        try RSASigner(key: self).decryptOAEP(ciphertext, label: label)
    }
}

extension RSAPrivateKey: CustomStringConvertible {
    /// Only the size: never any key material.
    public var description: String { "RSAPrivateKey(\(bitLength) bits)" }
}
