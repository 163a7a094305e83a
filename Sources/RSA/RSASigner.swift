import BigNum
import Hashing

/// The private-key operations of one key (RSASSA-PKCS1-v1_5 signing, RSAES-OAEP
/// decryption) with reusable scratch space and blinding state.
///
/// Each operation:
/// 1. blinds the input, m' = m * r^e mod n, so the exponentiations never see a value an
///    attacker chose or knows;
/// 2. computes m'^d with the CRT, each half with the constant-time `mpz_powm_sec`;
/// 3. unblinds with r^-1 and checks the result against the input by raising it to e,
///    so a fault during the computation (which would leak p or q) yields an error instead
///    of an output;
/// 4. updates the blinding pair by squaring both values, which keeps r^e and r^-1
///    consistent without a fresh random value and inversion per operation.
///
/// Scratch values are secret and preallocated to their largest size. Not thread-safe: make
/// one signer per task (the key itself may be shared).
public final class RSASigner {
    public let key: RSAPrivateKey
    private let k: Int
    private let blindE: BigNum    // r^e mod n
    private let blindInv: BigNum  // r^-1 mod n
    private let m: BigNum         // the input (public: the encoded message or ciphertext)
    private let t: BigNum
    private let u: BigNum
    private let s1: BigNum
    private let s2: BigNum
    private let result: BigNum
    private let check: BigNum
    private var encoded: [UInt8]

    /// A signer for `key`, whose modulus must have at least 2048 bits.
    public convenience init(key: RSAPrivateKey) throws(RSAError) {
        var generator = SystemRandomNumberGenerator()
        try self.init(key: key, using: &generator)
    }

    /// A signer whose first blinding value is drawn from `generator` (the system CSPRNG
    /// in production; tests may pass another).
    public init(key: RSAPrivateKey, using generator: inout some RandomNumberGenerator) throws(RSAError) {
        guard !key.publicKey.isLegacySize else {
            throw RSAError(.modulusTooSmallForSigning,
                           "the key has \(key.bitLength) bits; signing and decrypting need at least \(RSAPublicKey.minimumSigningBits)",
                           help: "generate a new key with `spki keygen --bits 2048` or more")
        }
        self.key = key
        k = key.publicKey.byteLength
        let bits = key.bitLength
        let wide = 2 * bits + 128
        blindE = BigNum(capacityBits: bits + 64, secret: true)
        blindInv = BigNum(capacityBits: bits + 64, secret: true)
        m = BigNum(capacityBits: bits + 64)
        t = BigNum(capacityBits: wide, secret: true)
        u = BigNum(capacityBits: wide, secret: true)
        s1 = BigNum(capacityBits: bits + 64, secret: true)
        s2 = BigNum(capacityBits: bits + 64, secret: true)
        result = BigNum(capacityBits: bits + 64, secret: true)
        check = BigNum(capacityBits: bits + 64, secret: true)
        encoded = [UInt8](repeating: 0, count: k)
        while true {
            let r = BigNum.random(below: key.n, secret: true, using: &generator)
            if blindInv.setInverse(r, modulo: key.n) {
                blindE.setPower(r, key.e, modulo: key.n)
                r.wipe()
                break
            }
        }
    }

    /// Signs `message` with RSASSA-PKCS1-v1_5 over its `hash` digest.
    /// SHA-1 and MD5 are refused unless `allowLegacyHash` is set.
    public func sign(message: [UInt8], hash: HashAlgorithm = .sha256, allowLegacyHash: Bool = false) throws(RSAError) -> [UInt8] {
        try checkHash(hash, allowLegacyHash)
        return try sign(digest: hash.digest(message), hash: hash, allowLegacyHash: allowLegacyHash)
    }

    /// Signs a message whose `hash` digest is `digest`.
    public func sign(digest: [UInt8], hash: HashAlgorithm = .sha256, allowLegacyHash: Bool = false) throws(RSAError) -> [UInt8] {
        try checkHash(hash, allowLegacyHash)
        try EMSAPKCS1.checkDigest(digest, hash)
        try EMSAPKCS1.encode(digest: digest, hash: hash, into: &encoded)
        m.setUnsignedBytes(encoded)
        try privateOperation()
        var signature = [UInt8](repeating: 0, count: k)
        _ = signature.withUnsafeMutableBufferPointer { result.writeUnsignedBytes(into: $0) }
        result.wipe()
        return signature
    }

    /// RSAES-OAEP decryption with SHA-256 and MGF1-SHA-256 (RFC 8017 §7.1.2).
    public func decryptOAEP(_ ciphertext: [UInt8], label: [UInt8] = []) throws(RSAError) -> [UInt8] {
        let failure = RSAError(.decryptionFailed, "the ciphertext does not decrypt with this key and label",
                               help: "check that it was encrypted to this key with RSA-OAEP, SHA-256 and MGF1-SHA-256, and the same label")
        guard ciphertext.count == k, k >= 2 * OAEP.hLen + 2 else { throw failure }
        m.setUnsignedBytes(ciphertext)
        guard m < key.n else { throw failure }
        try privateOperation()
        var em = [UInt8](repeating: 0, count: k)
        _ = em.withUnsafeMutableBufferPointer { result.writeUnsignedBytes(into: $0) }
        result.wipe()
        defer { for i in em.indices { em[i] = 0 } }
        return try OAEP.decode(em, label: label)
    }

    #if DEBUG
    /// Tests only: corrupts the blinding pair, as a fault would, so that the next
    /// operation computes a wrong result and the check must catch it.
    func corruptBlindingForTesting() {
        blindE.setSum(blindE, 1)
    }
    #endif

    private func checkHash(_ hash: HashAlgorithm, _ allowLegacy: Bool) throws(RSAError) {
        if hash.isLegacy && !allowLegacy {
            throw RSAError(.legacyHashRefused, "\(hash.spkiName) is broken for signing; it is accepted only to verify old objects",
                           help: "sign with sha256 or sha512, or pass --legacy-hash if an old verifier really needs \(hash.spkiName)")
        }
    }

    /// `result = m^d mod n`, blinded, CRT, checked. `m` < n.
    private func privateOperation() throws(RSAError) {
        let n = key.n, p = key.p, q = key.q
        // Blind: t = m * r^e mod n.
        u.setProduct(m, blindE)
        t.setRemainder(u, modulo: n)
        // s1 = t^dP mod p, s2 = t^dQ mod q.
        u.setRemainder(t, modulo: p)
        s1.setPowerSecure(u, key.dP, modulo: p)
        u.setRemainder(t, modulo: q)
        s2.setPowerSecure(u, key.dQ, modulo: q)
        // Garner: h = (s1 - s2) * qInv mod p; blinded result = s2 + q * h.
        u.setDifference(s1, s2)
        t.setProduct(u, key.qInv)
        u.setRemainder(t, modulo: p)
        t.setProduct(u, q)
        u.setSum(t, s2)
        // Unblind: result = u * r^-1 mod n.
        t.setProduct(u, blindInv)
        result.setRemainder(t, modulo: n)
        // Fault check: result^e must give back the input.
        key.publicKey.raise(result, into: check)
        let intact = check == m
        // Next blinding pair: (r^2)^e and (r^2)^-1.
        t.setProduct(blindE, blindE)
        blindE.setRemainder(t, modulo: n)
        t.setProduct(blindInv, blindInv)
        blindInv.setRemainder(t, modulo: n)
        t.wipe()
        u.wipe()
        s1.wipe()
        s2.wipe()
        guard intact else {
            result.wipe()
            throw RSAError(.faultDetected, "the private-key computation gave a wrong result and was discarded (hardware fault or corrupt key in memory)",
                           help: "retry; if it persists, the machine or the key file is faulty")
        }
    }
}
