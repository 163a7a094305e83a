import CGMP

/// An arbitrary-precision integer that owns one GMP `mpz_t`.
///
/// `BigNum` is a reference type so that hot loops can reuse allocations: every operation
/// has an in-place form (`setProduct(_:_:)`, `setPowerSecure(_:_:modulo:)`, ...) that writes
/// into an existing value, and a convenient out-of-place form (`*`, `power(_:modulo:)`, ...)
/// that allocates a new one.
///
/// A value created with `secret: true` overwrites its limbs with zeros before the memory is
/// returned to the allocator, and never prints its digits. Results of out-of-place
/// operations are secret when any operand is. GMP may move a value when it grows; give
/// secret scratch values their final capacity up front (`init(capacityBits:secret:)`) so no
/// stale copy is left behind in freed memory.
///
/// Not thread-safe for mutation; concurrent reads of a value nobody mutates are safe.
public final class BigNum {
    @usableFromInline let raw: UnsafeMutablePointer<__mpz_struct>

    /// Whether the limbs are cleared before being freed and the digits are hidden.
    public let isSecret: Bool

    /// A new value, `value` (0 by default).
    public init(_ value: UInt = 0, secret: Bool = false) {
        raw = .allocate(capacity: 1)
        cgmp_init(raw)
        isSecret = secret
        if value != 0 { cgmp_set_ui(raw, value) }
    }

    /// A zero with room for `capacityBits` bits, so that values up to that size never
    /// reallocate.
    public init(capacityBits: Int, secret: Bool = false) {
        raw = .allocate(capacity: 1)
        cgmp_init2(raw, mp_bitcnt_t(max(capacityBits, 64)))
        isSecret = secret
    }

    /// The non-negative integer whose unsigned big-endian encoding is `bytes` (OS2IP).
    public convenience init(unsignedBytes bytes: some Collection<UInt8>, secret: Bool = false) {
        self.init(capacityBits: bytes.count * 8, secret: secret)
        setUnsignedBytes(bytes)
    }

    /// The integer whose big-endian two's-complement encoding is `bytes`, as SPKI and DER
    /// write integers. An empty input is 0. A set top bit makes the value negative.
    public convenience init(twosComplement bytes: some Collection<UInt8>, secret: Bool = false) {
        self.init(capacityBits: bytes.count * 8, secret: secret)
        setUnsignedBytes(bytes)
        if let first = bytes.first, first & 0x80 != 0 {
            // value - 2^(8 * count)
            let power = BigNum(capacityBits: bytes.count * 8 + 1)
            cgmp_set_ui(power.raw, 1)
            cgmp_mul_2exp(power.raw, power.raw, mp_bitcnt_t(bytes.count * 8))
            cgmp_sub(raw, raw, power.raw)
        }
    }

    deinit {
        if isSecret {
            cgmp_clear_secure(raw)
        } else {
            cgmp_clear(raw)
        }
        raw.deallocate()
    }

    /// A copy of this value; secret when this one is, unless `secret` says otherwise.
    public func copy(secret: Bool? = nil) -> BigNum {
        let result = BigNum(capacityBits: bitWidth, secret: secret ?? isSecret)
        cgmp_set(result.raw, raw)
        return result
    }

    /// Sets the value to zero and overwrites the limbs, keeping the allocation.
    public func wipe() {
        cgmp_wipe(raw)
    }

    /// Replaces the value with the unsigned big-endian integer `bytes`.
    public func setUnsignedBytes(_ bytes: some Collection<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            Self.load(bigEndian: UnsafeRawBufferPointer(buffer), into: raw)
        }
        if done == nil {
            let array = Array(bytes)
            array.withUnsafeBufferPointer { cgmp_import_be(raw, $0.baseAddress, $0.count) }
        }
    }
}

extension BigNum {
    /// `mpz_import` of unsigned big-endian bytes, eight bytes per limb at a time straight
    /// into the number's limbs (GMP's generic import goes byte by byte): a key's modulus
    /// is read this way for every issuer a verifier meets. The same value, the same
    /// (re)allocation as `mpz_import`.
    @usableFromInline
    static func load(bigEndian input: UnsafeRawBufferPointer, into raw: UnsafeMutablePointer<__mpz_struct>) {
        var start = 0
        while start < input.count, input[start] == 0 { start += 1 }
        let count = input.count - start
        guard count > 0 else {
            cgmp_set_ui(raw, 0)
            return
        }
        let limbCount = (count + 7) / 8
        let limbs = cgmp_limbs_write(raw, limbCount)!
        let whole = count / 8
        for limb in 0..<whole {
            limbs[limb] = mp_limb_t(UInt64(bigEndian: input.loadUnaligned(fromByteOffset: input.count - 8 * (limb + 1), as: UInt64.self)))
        }
        if whole < limbCount {
            var value: mp_limb_t = 0
            for index in start..<(input.count - 8 * whole) { value = value << 8 | mp_limb_t(input[index]) }
            limbs[whole] = value
        }
        cgmp_limbs_finish(raw, limbCount)
    }
}

// MARK: - Properties and conversions

extension BigNum {
    /// The number of significant bits of |value|; 0 for zero.
    public var bitWidth: Int { cgmp_sizeinbase2(raw) }

    /// The number of bytes of the unsigned encoding of |value|; 0 for zero.
    public var byteWidth: Int { (bitWidth + 7) / 8 }

    /// -1, 0 or 1.
    public var signum: Int { Int(cgmp_sgn(raw)) }

    public var isZero: Bool { cgmp_sgn(raw) == 0 }
    public var isNegative: Bool { cgmp_sgn(raw) < 0 }
    public var isOdd: Bool { cgmp_odd(raw) != 0 }
    public var isEven: Bool { cgmp_odd(raw) == 0 }

    /// The value as a `UInt`, when it is non-negative and fits.
    public var uintValue: UInt? {
        guard cgmp_sgn(raw) >= 0, cgmp_fits_ulong(raw) != 0 else { return nil }
        return cgmp_get_ui(raw)
    }

    /// Whether bit `index` (0 = least significant) of the value is set.
    public func testBit(_ index: Int) -> Bool { cgmp_tstbit(raw, mp_bitcnt_t(index)) != 0 }

    /// Sets bit `index`.
    public func setBit(_ index: Int) { cgmp_setbit(raw, mp_bitcnt_t(index)) }

    /// The unsigned big-endian encoding of |value| in exactly `length` bytes (I2OSP), or
    /// `nil` when it does not fit. Without `length`, the minimal encoding (empty for 0).
    public func unsignedBytes(length: Int? = nil) -> [UInt8]? {
        let needed = byteWidth
        let count = length ?? needed
        guard needed <= count else { return nil }
        var out = [UInt8](repeating: 0, count: count)
        if count > 0 {
            out.withUnsafeMutableBufferPointer { cgmp_export_be($0.baseAddress, count, raw) }
        }
        return out
    }

    /// Writes |value| big-endian into `buffer`, left-padded with zeros; `false` when it does
    /// not fit.
    public func writeUnsignedBytes(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Bool {
        guard byteWidth <= buffer.count else { return false }
        if buffer.count > 0 { cgmp_export_be(buffer.baseAddress, buffer.count, raw) }
        return true
    }

    /// The minimal big-endian two's-complement encoding, as DER and SPKI write integers:
    /// a 0x00 byte is prepended when the top bit of a positive value is set; zero is `[0]`.
    public var twosComplementBytes: [UInt8] {
        if isZero { return [0] }
        if !isNegative {
            var bytes = unsignedBytes()!
            if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
            return bytes
        }
        // Negative: encode 2^(8k) + value in k bytes, with k the smallest that keeps the sign.
        var count = byteWidth
        let magnitude = BigNum(); cgmp_abs(magnitude.raw, raw)
        // -2^(8k-1) is the most negative value of k bytes.
        let limit = BigNum(1); cgmp_mul_2exp(limit.raw, limit.raw, mp_bitcnt_t(count * 8 - 1))
        if cgmp_cmp(magnitude.raw, limit.raw) > 0 { count += 1 }
        let power = BigNum(1); cgmp_mul_2exp(power.raw, power.raw, mp_bitcnt_t(count * 8))
        cgmp_add(power.raw, power.raw, raw)
        return power.unsignedBytes(length: count)!
    }

    /// Lower-case hexadecimal of a public value; secret values print no digits.
    public var hexString: String {
        if isSecret { return "<secret>" }
        let bytes = unsignedBytes() ?? []
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = isNegative ? [UInt8(ascii: "-")] : []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return bytes.isEmpty ? "0" : String(decoding: out, as: UTF8.self)
    }
}

extension BigNum: CustomStringConvertible {
    /// Hexadecimal for public values; only the size for secret ones.
    public var description: String {
        isSecret ? "BigNum(secret, \(bitWidth) bits)" : "0x" + hexString
    }
}

extension BigNum: Equatable, Comparable {
    /// Value equality. Not constant-time: do not compare secrets with it.
    public static func == (lhs: BigNum, rhs: BigNum) -> Bool { cgmp_cmp(lhs.raw, rhs.raw) == 0 }

    public static func < (lhs: BigNum, rhs: BigNum) -> Bool { cgmp_cmp(lhs.raw, rhs.raw) < 0 }

    /// -1, 0 or 1 as `self` is less than, equal to or greater than `other`.
    public func compare(_ other: BigNum) -> Int { Int(cgmp_cmp(raw, other.raw).signum()) }

    /// -1, 0 or 1 as `self` is less than, equal to or greater than `other`.
    public func compare(_ other: UInt) -> Int { Int(cgmp_cmp_ui(raw, other).signum()) }
}
