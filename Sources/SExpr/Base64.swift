/// Base64 (RFC 4648 §4) as used by S-expressions: `|...|` strings and `{...}` transport.
/// Decoding skips whitespace, accepts missing padding, and rejects anything else.
public enum Base64 {
    @usableFromInline static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// 0..63 for alphabet bytes, 0xFE for whitespace, 0xFD for `=`, 0xFF otherwise.
    @usableFromInline static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        for c in [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D] { table[c] = 0xFE }
        table[Int(UInt8(ascii: "="))] = 0xFD
        return table
    }()

    /// Why a base64 body was rejected, and at which input index.
    public enum DecodeFailure: Error, Equatable, Sendable {
        case invalidCharacter(index: Int, byte: UInt8)
        case truncated(symbols: Int)
        case misplacedPadding(index: Int)
        case nonZeroTrailingBits
    }

    /// The encoded length of `count` bytes, with padding.
    @inlinable public static func encodedLength(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Encodes `bytes` with padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(encodedLength(bytes.count))
        bytes.withUnsafeBufferPointer { encode($0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the padded encoding of `input` to `out`.
    public static func encode(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let count = input.count
        let start = out.count
        let produced = encodedLength(count)
        out.append(contentsOf: repeatElement(0, count: produced))
        alphabet.withUnsafeBufferPointer { table in
            out.withUnsafeMutableBufferPointer { buffer in
                var o = start
                var i = 0
                while i + 3 <= count {
                    let v = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                    buffer[o] = table[Int(v >> 18)]
                    buffer[o + 1] = table[Int(v >> 12 & 63)]
                    buffer[o + 2] = table[Int(v >> 6 & 63)]
                    buffer[o + 3] = table[Int(v & 63)]
                    i += 3
                    o += 4
                }
                let rest = count - i
                if rest > 0 {
                    let v = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
                    buffer[o] = table[Int(v >> 18)]
                    buffer[o + 1] = table[Int(v >> 12 & 63)]
                    buffer[o + 2] = rest == 2 ? table[Int(v >> 6 & 63)] : UInt8(ascii: "=")
                    buffer[o + 3] = UInt8(ascii: "=")
                }
            }
        }
    }

    /// Decodes a base64 string, skipping whitespace.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        let ok = bytes.withUnsafeBufferPointer { (try? decode($0, into: &out)) != nil }
        return ok ? out : nil
    }

    /// Decodes `input` (whitespace allowed anywhere, padding optional) and appends the
    /// bytes to `out`. On failure `out` may hold a partial result.
    public static func decode(_ input: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) throws(DecodeFailure) {
        // Grow geometrically: reserving an exact size on every call would copy the whole
        // buffer once per string, which is quadratic over a document of many strings.
        let needed = out.count + input.count / 4 * 3 + 3
        if out.capacity < needed { out.reserveCapacity(max(needed, out.capacity * 2)) }
        var accumulator: UInt32 = 0
        var symbols = 0
        var padding = 0
        try decodeTable.withUnsafeBufferPointer { (table) throws(DecodeFailure) in
            for index in 0..<input.count {
                let byte = input[index]
                let value = table[Int(byte)]
                if value < 64 {
                    if padding > 0 { throw .misplacedPadding(index: index) }
                    accumulator = accumulator << 6 | UInt32(value)
                    symbols += 1
                    if symbols & 3 == 0 {
                        out.append(UInt8(truncatingIfNeeded: accumulator >> 16))
                        out.append(UInt8(truncatingIfNeeded: accumulator >> 8))
                        out.append(UInt8(truncatingIfNeeded: accumulator))
                        accumulator = 0
                    }
                } else if value == 0xFE {
                    continue
                } else if value == 0xFD {
                    padding += 1
                    let partial = symbols & 3
                    if partial < 2 || partial + padding > 4 { throw .misplacedPadding(index: index) }
                } else {
                    throw .invalidCharacter(index: index, byte: byte)
                }
            }
        }
        switch symbols & 3 {
        case 0:
            if padding != 0 { throw .misplacedPadding(index: input.count - 1) }
        case 1:
            throw .truncated(symbols: symbols)
        case 2:
            if padding != 0 && padding != 2 { throw .misplacedPadding(index: input.count - 1) }
            if accumulator & 0xF != 0 { throw .nonZeroTrailingBits }
            out.append(UInt8(truncatingIfNeeded: accumulator >> 4))
        default:
            if padding > 1 { throw .misplacedPadding(index: input.count - 1) }
            if accumulator & 0x3 != 0 { throw .nonZeroTrailingBits }
            out.append(UInt8(truncatingIfNeeded: accumulator >> 10))
            out.append(UInt8(truncatingIfNeeded: accumulator >> 2))
        }
    }
}
