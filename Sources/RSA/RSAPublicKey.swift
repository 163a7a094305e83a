import BigNum
import Hashing

/// An RSA public key (n, e): verification of RSASSA-PKCS1-v1_5 signatures and RSAES-OAEP
/// encryption.
///
/// The key is checked when it is made: e is odd and at least 3 and below n, n is odd and
/// between 1024 and 16384 bits. Keys under 2048 bits load (to verify legacy objects) and
/// say so with `isLegacySize`; callers should warn.
///
/// Immutable, hence safe to share between tasks.
public final class RSAPublicKey: @unchecked Sendable {
    // @unchecked: the BigNums are created here and never mutated after init.
    let n: BigNum
    /// The public exponent when it has more than 62 bits (rare); otherwise `smallExponent`.
    private let largeExponent: BigNum?
    /// The public exponent when it fits in 62 bits (0 when it does not): no `BigNum`, so a
    /// key read for one verification allocates the modulus, the key and its context only.
    private let smallExponent: UInt64
    /// The public exponent.
    var e: BigNum { largeExponent ?? BigNum(UInt(smallExponent)) }
    /// Fast s^e mod n for this key (nil for exponents over 62 bits).
    let montgomery: MontgomeryPower?

    /// The size of the modulus in bits.
    public let bitLength: Int
    /// The size of the modulus in bytes (k in RFC 8017): the length of every signature.
    public let byteLength: Int

    /// The smallest modulus accepted at all (for verifying legacy objects).
    public static let minimumBits = 1024
    /// The smallest modulus accepted for signing and for new keys.
    public static let minimumSigningBits = 2048
    /// The largest modulus accepted (bounds the work an input can cause).
    public static let maximumBits = 16384

    /// A key from the unsigned big-endian bytes of the modulus and the public exponent.
    /// Leading zero bytes are ignored.
    public convenience init(modulus: some Collection<UInt8>, exponent: some Collection<UInt8>) throws(RSAError) {
        try self.init(n: BigNum(unsignedBytes: modulus), e: BigNum(unsignedBytes: exponent))
    }

    convenience init(n: BigNum, e: BigNum) throws(RSAError) {
        if e.signum > 0, e.bitWidth <= 62, let small = e.uintValue {
            try self.init(n: n, smallExponent: UInt64(small))
        } else {
            try Self.check(n: n, e: e)
            self.init(checked: n, large: e, small: 0)
        }
    }

    /// A key whose exponent fits in 62 bits (`e` in 1 ..< 2^62), the same checks as
    /// `init(n:e:)`. `n` is kept, never changed.
    convenience init(n: BigNum, smallExponent e: UInt64) throws(RSAError) {
        precondition(e > 0 && e < 1 << 62, "RSAPublicKey(n:smallExponent:): the exponent does not fit in 62 bits")
        try Self.check(n: n, smallExponent: e)
        self.init(checked: n, large: nil, small: e)
    }

    private init(checked n: BigNum, large: BigNum?, small: UInt64) {
        self.n = n
        largeExponent = large
        smallExponent = small
        montgomery = large == nil ? MontgomeryPower(adopting: n, exponent: small) : nil
        bitLength = n.bitWidth
        byteLength = n.byteWidth
    }

    /// `check(n:e:)` for an exponent in 1 ..< 2^62, without making a `BigNum` of it: the
    /// same errors in the same order.
    static func check(n: BigNum, smallExponent e: UInt64) throws(RSAError) {
        if e < 3 {
            throw RSAError(.exponentTooSmall, "the public exponent is \(e), it must be at least 3",
                           help: "use e = 65537; a key with e < 3 offers no security")
        }
        if e & 1 == 0 {
            throw RSAError(.exponentEven, "the public exponent is even, so it has no inverse and the key cannot work",
                           help: "use e = 65537")
        }
        try checkModulus(n)
        // n has at least `minimumBits` (1024) bits, e fewer than 63: e < n.
    }

    static func check(n: BigNum, e: BigNum) throws(RSAError) {
        if e.isNegative || e.compare(3) < 0 {
            throw RSAError(.exponentTooSmall, "the public exponent is \(e.uintValue.map(String.init) ?? "negative"), it must be at least 3",
                           help: "use e = 65537; a key with e < 3 offers no security")
        }
        if e.isEven {
            throw RSAError(.exponentEven, "the public exponent is even, so it has no inverse and the key cannot work",
                           help: "use e = 65537")
        }
        try checkModulus(n)
        if e.compare(n) >= 0 {
            throw RSAError(.exponentNotBelowModulus, "the public exponent is not smaller than the modulus",
                           help: "the key is corrupt; restore it from a backup or generate a new one")
        }
    }

    private static func checkModulus(_ n: BigNum) throws(RSAError) {
        if n.isNegative || n.isEven {
            throw RSAError(.modulusEven, "the modulus is \(n.isNegative ? "negative" : "even"), so it is not a product of two odd primes",
                           help: "the key is corrupt; restore it from a backup or generate a new one")
        }
        let bits = n.bitWidth
        if bits < minimumBits {
            throw RSAError(.modulusTooSmall, "the modulus has \(bits) bits, below the minimum of \(minimumBits)",
                           help: "such keys can be factored; generate a key of 2048 bits or more")
        }
        if bits > maximumBits {
            throw RSAError(.modulusTooLarge, "the modulus has \(bits) bits, above the maximum of \(maximumBits)")
        }
    }

    /// Whether the modulus is under 2048 bits: acceptable only to verify legacy objects.
    public var isLegacySize: Bool { bitLength < Self.minimumSigningBits }

    /// The modulus n, unsigned big-endian, minimal.
    public var modulusBytes: [UInt8] { n.unsignedBytes()! }

    /// The public exponent e, unsigned big-endian, minimal.
    public var exponentBytes: [UInt8] { e.unsignedBytes()! }

    /// The public exponent, when it fits in 64 bits.
    public var exponentValue: UInt? { largeExponent == nil ? UInt(smallExponent) : largeExponent!.uintValue }

    /// `result = value^e mod n` (the RSA public operation); `value` < n. Variable time:
    /// for public values.
    func raise(_ value: BigNum, into result: BigNum) {
        if let montgomery {
            montgomery.power(value, into: result)
        } else {
            result.setPower(value, e, modulo: n)
        }
    }

    // MARK: Verification

    /// Verifies an RSASSA-PKCS1-v1_5 signature over `message`, hashed with `hash`.
    /// Throws an error whose `isVerificationFailure` is true when the signature is not
    /// valid. Verifying SHA-1 and MD5 signatures is allowed (for legacy objects).
    public func verify(signature: [UInt8], message: [UInt8], hash: HashAlgorithm = .sha256) throws(RSAError) {
        try verify(signature: signature, digest: hash.digest(message), hash: hash)
    }

    /// Verifies an RSASSA-PKCS1-v1_5 signature over a message whose `hash` digest is `digest`.
    public func verify(signature: [UInt8], digest: [UInt8], hash: HashAlgorithm) throws(RSAError) {
        try EMSAPKCS1.checkDigest(digest, hash)
        guard signature.count == byteLength else {
            throw RSAError(.signatureLengthMismatch,
                           "the signature is \(signature.count) bytes, a \(bitLength)-bit key makes signatures of exactly \(byteLength) bytes",
                           help: "the signature is truncated or padded, or was made with another key")
        }
        let k = byteLength
        if let montgomery {
            // Recovered and expected representatives side by side on the stack.
            enum Outcome { case match, mismatch, outOfRange, modulusTooShort }
            let outcome = withUnsafeTemporaryAllocation(byteCount: 2 * k, alignment: 8) { buffer -> Outcome in
                let recovered = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<k])
                let expected = UnsafeMutableRawBufferPointer(rebasing: buffer[k..<(2 * k)])
                let inRange = signature.withUnsafeBytes { montgomery.power(bigEndian: $0, into: recovered) }
                guard inRange else { return .outOfRange }
                guard EMSAPKCS1.encode(digest: digest, hash: hash, into: expected) else { return .modulusTooShort }
                return ConstantTime.equal(UnsafeRawBufferPointer(recovered), UnsafeRawBufferPointer(expected)) ? .match : .mismatch
            }
            switch outcome {
            case .match: return
            case .mismatch: throw Self.mismatch(hash)
            case .outOfRange: throw Self.outOfRange()
            case .modulusTooShort:
                throw RSAError(.modulusTooSmall, "a \(k * 8)-bit modulus is too short for a \(hash.spkiName) signature")
            }
        }
        var recovered = [UInt8](repeating: 0, count: k)
        var expected = [UInt8](repeating: 0, count: k)
        let s = BigNum(unsignedBytes: signature)
        guard s < n else { throw Self.outOfRange() }
        let m = BigNum(capacityBits: bitLength + 64)
        m.setPower(s, e, modulo: n)
        _ = recovered.withUnsafeMutableBufferPointer { m.writeUnsignedBytes(into: $0) }
        try EMSAPKCS1.encode(digest: digest, hash: hash, into: &expected)
        guard ConstantTime.equal(recovered, expected) else { throw Self.mismatch(hash) }
    }

    private static func mismatch(_ hash: HashAlgorithm) -> RSAError {
        RSAError(.signatureMismatch,
                 "the signature does not match: it was not made by this key over this content with \(hash.spkiName)",
                 help: "check that the key, the signed content and the hash algorithm are the ones used to sign")
    }

    private static func outOfRange() -> RSAError {
        RSAError(.signatureOutOfRange, "the signature, as a number, is not smaller than the modulus",
                 help: "the signature was made with another key or is corrupt")
    }

    // MARK: Encryption

    /// RSAES-OAEP encryption with SHA-256 and MGF1-SHA-256 (RFC 8017 §7.1.1).
    /// The message can be at most `byteLength - 66` bytes.
    public func encryptOAEP(_ message: [UInt8], label: [UInt8] = []) throws(RSAError) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return try encryptOAEP(message, label: label, using: &generator)
    }

    /// OAEP encryption with the seed drawn from `generator` (tests pass a fixed one).
    public func encryptOAEP(_ message: [UInt8], label: [UInt8], using generator: inout some RandomNumberGenerator) throws(RSAError) -> [UInt8] {
        let encoded = try OAEP.encode(message, label: label, length: byteLength, using: &generator)
        let m = BigNum(unsignedBytes: encoded)
        let c = BigNum(capacityBits: bitLength + 64)
        raise(m, into: c)
        return c.unsignedBytes(length: byteLength)!
    }
}

extension RSAPublicKey: Equatable, Hashable {
    public static func == (lhs: RSAPublicKey, rhs: RSAPublicKey) -> Bool {
        guard lhs.smallExponent == rhs.smallExponent, lhs.n == rhs.n else { return false }
        return lhs.largeExponent == nil || lhs.e == rhs.e
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(modulusBytes)
        hasher.combine(exponentBytes)
    }
}

extension RSAPublicKey: CustomStringConvertible {
    public var description: String { "RSAPublicKey(\(bitLength) bits, e = \(exponentValue.map(String.init) ?? "large"))" }
}
