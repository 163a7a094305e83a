@testable import Registrar
import TestSupport
import XCTest

/// `BundleDelta`: a body as the ranges that differ from a base of the same length.
/// Property tests over random bodies and changes (seeded: a failure names its case), the
/// boundaries, and every malformed stored form refused.
final class BundleDeltaTests: XCTestCase {
    /// apply(compute(a, b)) == b, and the stored form reads back as the same delta, over
    /// random bodies with random same-width changes (few and short, many, at the ends).
    func testApplyComputeIsTheTargetOverRandomChanges() throws {
        var random = SeededGenerator(seed: 0xB0D1_E5)
        for round in 0..<400 {
            let length = Int.random(in: 0...4096, using: &random)
            let base = (0..<length).map { _ in UInt8.random(in: 0...255, using: &random) }
            var target = base
            let changes = length == 0 ? 0 : Int.random(in: 0...(round % 4 == 0 ? length : 12), using: &random)
            for _ in 0..<changes {
                let start = Int.random(in: 0..<length, using: &random)
                let width = Int.random(in: 1...min(64, length - start), using: &random)
                for index in start..<(start + width) { target[index] = UInt8.random(in: 0...255, using: &random) }
            }
            let gap = [1, 2, 4, 16][round % 4]
            let delta = try XCTUnwrap(BundleDelta.compute(from: base, to: target, gap: gap), "round \(round)")
            XCTAssertEqual(try delta.apply(to: base), target, "round \(round)")
            XCTAssertEqual(try BundleDelta(decoding: delta.encoded), delta, "round \(round)")
            XCTAssertEqual(try BundleDelta(decoding: delta.encoded).apply(to: base), target, "round \(round)")
            // Ranges in order, not touching, each beginning and ending with a difference.
            var end = -1
            for range in delta.ranges {
                XCTAssertGreaterThan(range.offset, end, "round \(round)")
                XCTAssertNotEqual(base[range.offset], target[range.offset], "round \(round)")
                XCTAssertNotEqual(base[range.offset + range.bytes.count - 1], target[range.offset + range.bytes.count - 1], "round \(round)")
                end = range.offset + range.bytes.count
            }
            // Every difference is in a range.
            let covered = Set(delta.ranges.flatMap { $0.offset..<($0.offset + $0.bytes.count) })
            for index in 0..<length where base[index] != target[index] { XCTAssertTrue(covered.contains(index), "round \(round) byte \(index)") }
        }
    }

    func testBoundaries() throws {
        let base: [UInt8] = Array(0..<64)
        // Equal: no range; three bytes stored (version, length, count).
        let same = try XCTUnwrap(BundleDelta.compute(from: base, to: base))
        XCTAssertEqual(same.ranges, [])
        XCTAssertEqual(same.encoded, [1, 64, 0])
        XCTAssertEqual(try same.apply(to: base), base)
        // Empty arrays.
        let empty = try XCTUnwrap(BundleDelta.compute(from: [], to: []))
        XCTAssertEqual(empty.encoded, [1, 0, 0])
        XCTAssertEqual(try empty.apply(to: []), [])
        // The first and the last byte, each on a word boundary's both sides.
        for index in [0, 1, 7, 8, 9, 55, 56, 62, 63] {
            var target = base
            target[index] ^= 0xFF
            let delta = try XCTUnwrap(BundleDelta.compute(from: base, to: target))
            XCTAssertEqual(delta.ranges, [BundleDelta.Range(offset: index, bytes: [target[index]])], "byte \(index)")
            XCTAssertEqual(try delta.apply(to: base), target)
        }
        // Everything differs: one range, the whole target.
        let inverted = base.map { ~$0 }
        XCTAssertEqual(try XCTUnwrap(BundleDelta.compute(from: base, to: inverted)).ranges, [BundleDelta.Range(offset: 0, bytes: inverted)])
        // The most ranges: every other byte, with a gap of 1.
        var alternate = base
        for index in stride(from: 0, to: 64, by: 2) { alternate[index] ^= 1 }
        let most = try XCTUnwrap(BundleDelta.compute(from: base, to: alternate, gap: 1))
        XCTAssertEqual(most.ranges.count, 32)
        XCTAssertEqual(try BundleDelta(decoding: most.encoded), most)
        XCTAssertEqual(try most.apply(to: base), alternate)
        // With the default gap, differences 2 apart are one range.
        XCTAssertEqual(try XCTUnwrap(BundleDelta.compute(from: base, to: alternate)).ranges.count, 1)
        // Lengths that differ: no delta.
        XCTAssertNil(BundleDelta.compute(from: base, to: base + [0]))
        // Past the limit: no delta; at it exactly: a delta.
        let size = most.encoded.count
        XCTAssertNil(BundleDelta.compute(from: base, to: alternate, limit: size - 1, gap: 1))
        XCTAssertEqual(BundleDelta.compute(from: base, to: alternate, limit: size, gap: 1), most)
        // A base of another length is refused.
        XCTAssertThrowsError(try most.apply(to: Array(base.dropLast()))) { error in
            XCTAssertEqual(error as? BundleDelta.Failure, .lengthMismatch(expected: 64, base: 63))
        }
        // Large lengths and offsets take several bytes each.
        var large = [UInt8](repeating: 7, count: 300_000)
        let original = large
        large[200_000] = 9
        let far = try XCTUnwrap(BundleDelta.compute(from: original, to: large))
        XCTAssertEqual(far.ranges, [BundleDelta.Range(offset: 200_000, bytes: [9])])
        XCTAssertEqual(try BundleDelta(decoding: far.encoded), far)
    }

    /// Stored forms that are not deltas are refused, never read past their end.
    func testMalformedStoredFormsAreRefused() {
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("another version", [2, 4, 0]),
            ("no count", [1, 4]),
            ("a range past the length", [1, 4, 1, 3, 2, 9, 9]),
            ("a range cut short", [1, 4, 1, 0, 3, 9]),
            ("an empty range", [1, 4, 1, 0, 0]),
            ("two ranges touching", [1, 8, 2, 0, 1, 9, 0, 1, 9]),
            ("bytes after the last range", [1, 4, 1, 0, 1, 9, 0]),
            ("more ranges than bytes", [1, 4, 0x7F]),
            ("a number with a needless byte", [1, 0x84, 0x00, 0]),
            ("a number too large", [1] + [UInt8](repeating: 0xFF, count: 10) + [0]),
        ]
        for (name, bytes) in cases {
            XCTAssertThrowsError(try BundleDelta(decoding: bytes), name) { error in
                guard case .malformed = error as? BundleDelta.Failure else { return XCTFail("\(name): \(error)") }
            }
        }
        // Built from parts: the same checks.
        XCTAssertThrowsError(try BundleDelta(length: 4, ranges: [.init(offset: 3, bytes: [1, 2])]))
        XCTAssertThrowsError(try BundleDelta(length: 4, ranges: [.init(offset: 0, bytes: [1]), .init(offset: 1, bytes: [2])]))
        XCTAssertThrowsError(try BundleDelta(length: 4, ranges: [.init(offset: 1, bytes: [])]))
        XCTAssertNoThrow(try BundleDelta(length: 4, ranges: [.init(offset: 0, bytes: [1]), .init(offset: 2, bytes: [2, 3])]))
    }

    /// Random bytes never crash the reader: each is a delta or a refusal.
    func testRandomStoredFormsAreReadOrRefused() {
        var random = SeededGenerator(seed: 42)
        for _ in 0..<2000 {
            var bytes = (0..<Int.random(in: 0...24, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if !bytes.isEmpty, Bool.random(using: &random) { bytes[0] = 1 }
            if let delta = try? BundleDelta(decoding: bytes) {
                XCTAssertEqual(delta.encoded, bytes, "a delta read has one stored form")
            }
        }
    }
}
