/// The difference between two byte arrays of the same length, as the ranges of the second
/// that differ from the first: `(offset, bytes)`, in order, disjoint and not touching.
/// Format-agnostic (nothing here knows what the bytes are); the registrar stores a bundle
/// body as a base plus the delta that turns the base into it (`RegistrarService+BundleRows`).
///
/// Stored form (`encoded`): a version byte (1), the length of both arrays, the number of
/// ranges, then for each range the gap since the end of the previous one (the first: its
/// offset), its length and its bytes; numbers as unsigned LEB128. `init(decoding:)`
/// refuses anything else: another version, a range past the length, an empty range, two
/// ranges touching, bytes left over.
public struct BundleDelta: Sendable, Equatable {
    public struct Range: Sendable, Equatable {
        public var offset: Int
        public var bytes: [UInt8]

        public init(offset: Int, bytes: [UInt8]) {
            self.offset = offset
            self.bytes = bytes
        }
    }

    public enum Failure: Error, Equatable {
        /// The stored form is not a delta (what is wrong with it).
        case malformed(String)
        /// The base has another length than the delta was computed for.
        case lengthMismatch(expected: Int, base: Int)
    }

    static let version: UInt8 = 1

    /// The length of the base and of the result.
    public let length: Int
    public let ranges: [Range]

    /// A delta from its parts, checked as `init(decoding:)` checks a stored one.
    public init(length: Int, ranges: [Range]) throws(Failure) {
        guard length >= 0 else { throw .malformed("negative length") }
        var end = -1
        for range in ranges {
            guard !range.bytes.isEmpty else { throw .malformed("an empty range at \(range.offset)") }
            guard range.offset > end, range.offset >= 0 else { throw .malformed("ranges overlap or touch at \(range.offset)") }
            guard range.offset <= length - range.bytes.count else { throw .malformed("a range at \(range.offset) ends past the length \(length)") }
            end = range.offset + range.bytes.count
        }
        self.length = length
        self.ranges = ranges
    }

    private init(unchecked length: Int, ranges: [Range]) {
        self.length = length
        self.ranges = ranges
    }

    /// The delta that turns `base` into `target`, or nil when their lengths differ or when
    /// its stored form would take more than `limit` bytes. Differences closer than `gap`
    /// equal bytes apart are one range (a range's header costs about as much).
    public static func compute(from base: [UInt8], to target: [UInt8], limit: Int = .max, gap: Int = 4) -> BundleDelta? {
        guard base.count == target.count else { return nil }
        let count = base.count
        let gap = max(1, gap)
        var ranges: [Range] = []
        var size = 1 + varintSize(count) + 1
        let fits = base.withUnsafeBytes { a -> Bool in
            target.withUnsafeBytes { b -> Bool in
                var index = 0
                var previousEnd = 0
                while index < count {
                    // Equal blocks of 32 bytes (four words compared at once), then equal
                    // words, then equal bytes.
                    while index + 32 <= count {
                        let x0 = a.loadUnaligned(fromByteOffset: index, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                        let x1 = a.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)
                        let x2 = a.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self)
                        let x3 = a.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self) ^ b.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self)
                        guard (x0 | x1) | (x2 | x3) == 0 else { break }
                        index += 32
                    }
                    while index + 8 <= count,
                          a.loadUnaligned(fromByteOffset: index, as: UInt64.self) == b.loadUnaligned(fromByteOffset: index, as: UInt64.self) {
                        index += 8
                    }
                    while index < count, a[index] == b[index] { index += 1 }
                    guard index < count else { break }
                    // A run of differences, taking in equal stretches shorter than `gap`.
                    let start = index
                    var end = index + 1
                    var probe = end
                    while probe < count, probe - end < gap {
                        if a[probe] != b[probe] { end = probe + 1 }
                        probe += 1
                    }
                    ranges.append(Range(offset: start, bytes: Array(b[start..<end])))
                    size += varintSize(start - previousEnd) + varintSize(end - start) + (end - start)
                    guard size <= limit else { return false }
                    previousEnd = end
                    index = end
                }
                return true
            }
        }
        guard fits else { return nil }
        size += varintSize(ranges.count) - 1
        guard size <= limit else { return nil }
        return BundleDelta(unchecked: count, ranges: ranges)
    }

    /// `base` with the ranges written over it.
    public func apply(to base: [UInt8]) throws(Failure) -> [UInt8] {
        guard base.count == length else { throw .lengthMismatch(expected: length, base: base.count) }
        var out = base
        out.withUnsafeMutableBufferPointer { out in
            for range in ranges {
                range.bytes.withUnsafeBufferPointer { bytes in
                    _ = UnsafeMutableBufferPointer(rebasing: out[range.offset..<(range.offset + bytes.count)]).update(fromContentsOf: bytes)
                }
            }
        }
        return out
    }

    /// The bytes the ranges hold.
    public var changedBytes: Int { ranges.reduce(0) { $0 + $1.bytes.count } }

    /// The stored form.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(16 + changedBytes + 4 * ranges.count)
        out.append(Self.version)
        Self.appendVarint(length, to: &out)
        Self.appendVarint(ranges.count, to: &out)
        var previousEnd = 0
        for range in ranges {
            Self.appendVarint(range.offset - previousEnd, to: &out)
            Self.appendVarint(range.bytes.count, to: &out)
            out.append(contentsOf: range.bytes)
            previousEnd = range.offset + range.bytes.count
        }
        return out
    }

    /// Reads a stored form (see the type's comment for what is refused).
    public init(decoding bytes: [UInt8]) throws(Failure) {
        var reader = Reader(bytes: bytes)
        guard try reader.byte() == Self.version else { throw .malformed("not version \(Self.version)") }
        let length = try reader.varint()
        let count = try reader.varint()
        // Each range takes at least 3 bytes: a bound before allocating.
        guard count <= bytes.count / 3 else { throw .malformed("\(count) ranges in \(bytes.count) bytes") }
        var ranges: [Range] = []
        ranges.reserveCapacity(count)
        var previousEnd = 0
        for index in 0..<count {
            let skip = try reader.varint()
            guard index == 0 || skip > 0 else { throw .malformed("ranges touch at \(previousEnd)") }
            let size = try reader.varint()
            guard size > 0 else { throw .malformed("an empty range") }
            guard skip <= length - previousEnd, size <= length - previousEnd - skip else {
                throw .malformed("a range ends past the length \(length)")
            }
            let offset = previousEnd + skip
            ranges.append(Range(offset: offset, bytes: try reader.bytes(size)))
            previousEnd = offset + size
        }
        guard reader.atEnd else { throw .malformed("\(bytes.count - reader.position) bytes after the last range") }
        self.init(unchecked: length, ranges: ranges)
    }

    static func varintSize(_ value: Int) -> Int {
        var value = UInt(value), size = 1
        while value >= 0x80 {
            value >>= 7
            size += 1
        }
        return size
    }

    static func appendVarint(_ value: Int, to out: inout [UInt8]) {
        var value = UInt(value)
        while value >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    struct Reader {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position == bytes.count }

        mutating func byte() throws(Failure) -> UInt8 {
            guard position < bytes.count else { throw .malformed("it ends early") }
            defer { position += 1 }
            return bytes[position]
        }

        /// An unsigned LEB128 number that fits an `Int` (at most 9 bytes: 63 bits).
        mutating func varint() throws(Failure) -> Int {
            var value = 0
            for shift in stride(from: 0, to: 63, by: 7) {
                let byte = try byte()
                value |= Int(byte & 0x7F) << shift
                if byte & 0x80 == 0 {
                    guard byte != 0 || shift == 0 else { throw .malformed("a number with a needless trailing byte") }
                    return value
                }
            }
            throw .malformed("a number too large")
        }

        mutating func bytes(_ count: Int) throws(Failure) -> [UInt8] {
            guard count <= bytes.count - position else { throw .malformed("it ends early") }
            defer { position += count }
            return Array(bytes[position..<(position + count)])
        }
    }
}
