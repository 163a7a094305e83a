import SExpr
import SPKI
import XCTest

/// Algebraic properties of intersection and inclusion over random tags built from a small
/// vocabulary (so that intersections are often non-empty).
final class TagPropertyTests: XCTestCase {
    static let words = ["a", "ab", "abc", "b", "ba", "bar", "c", "10", "150", "199", "1900", "2.5", "-3"]
    static let heads = ["ftp", "http"]
    static let iterations = 3000

    struct Generator {
        var random: SeededRandom

        mutating func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }

        mutating func atom() -> SExpr.Atom {
            SExpr.Atom(pick(TagPropertyTests.words), hint: chance(5) ? "h" : nil)
        }

        mutating func bound(_ ordering: RangeOrdering) -> TagRange.Bound {
            let word = ordering == .numeric ? pick(["10", "150", "199", "1900", "2.5", "-3"]) : pick(TagPropertyTests.words)
            return .init(Array(word.utf8), inclusive: chance(50))
        }

        mutating func pattern() -> Tag {
            if chance(40) { return .prefix(SExpr.Atom(pick(["", "a", "ab", "b", "1", "19"]))) }
            let ordering: RangeOrdering = chance(50) ? .alpha : .numeric
            return .range(TagRange(ordering, lower: chance(60) ? bound(ordering) : nil, upper: chance(60) ? bound(ordering) : nil))
        }

        mutating func tag(depth: Int = 0) -> Tag {
            let roll = random.next() % 100
            switch roll {
            case 0..<6: return .all
            case 6..<40: return .atom(atom())
            case 40..<60 where depth < 3:
                let count = Int(random.next() % 3)
                return .list(SExpr.Atom(pick(TagPropertyTests.heads)), (0..<count).map { _ in tag(depth: depth + 1) })
            case 60..<75 where depth < 3:
                let count = Int(random.next() % 4)
                return .set((0..<count).map { _ in tag(depth: depth + 1) })
            default: return pattern()
            }
        }

        /// A concrete request: atoms and lists only.
        mutating func request(depth: Int = 0) -> Tag {
            if depth < 3 && chance(40) {
                let count = Int(random.next() % 4)
                return .list(SExpr.Atom(pick(TagPropertyTests.heads)), (0..<count).map { _ in request(depth: depth + 1) })
            }
            return .atom(atom())
        }
    }

    func testIntersectionIsCommutative() {
        var g = Generator(random: SeededRandom(seed: 1))
        for _ in 0..<Self.iterations {
            let a = g.tag(), b = g.tag()
            XCTAssertEqual(a.intersection(b), b.intersection(a), "\(a) ∩ \(b)")
        }
    }

    func testIntersectionIsIdempotent() {
        var g = Generator(random: SeededRandom(seed: 2))
        for _ in 0..<Self.iterations {
            let a = g.tag()
            XCTAssertEqual(a.intersection(a), a.normalized, "\(a) ∩ itself")
            XCTAssertEqual(a.normalized.normalized, a.normalized, "normalisation of \(a) is stable")
        }
    }

    func testIntersectionIsAssociative() {
        var g = Generator(random: SeededRandom(seed: 3))
        for _ in 0..<Self.iterations {
            let a = g.tag(), b = g.tag(), c = g.tag()
            let left = a.intersection(b).intersection(c), right = a.intersection(b.intersection(c))
            XCTAssertEqual(left, right, "(\(a) ∩ \(b)) ∩ \(c)")
        }
    }

    func testIntersectionIsIncludedByBoth() {
        var g = Generator(random: SeededRandom(seed: 4))
        for _ in 0..<Self.iterations {
            let a = g.tag(), b = g.tag()
            let both = a.intersection(b)
            XCTAssertTrue(a.includes(both), "\(a) should allow \(a) ∩ \(b) = \(both)")
            XCTAssertTrue(b.includes(both), "\(b) should allow \(a) ∩ \(b) = \(both)")
        }
    }

    /// For concrete requests, "A allows R" is exactly "A ∩ R = R", and a request allowed by
    /// A ∩ B is allowed by both (and conversely).
    func testInclusionAgreesWithIntersectionOnRequests() {
        var g = Generator(random: SeededRandom(seed: 5))
        for _ in 0..<Self.iterations {
            let a = g.tag(), b = g.tag(), r = g.request()
            XCTAssertEqual(a.includes(r), a.intersection(r) == r, "\(a) allows \(r)")
            XCTAssertEqual(a.intersection(b).includes(r), a.includes(r) && b.includes(r), "(\(a) ∩ \(b)) allows \(r)")
        }
    }

    /// Inclusion is sound: when A allows B, every request B allows is allowed by A.
    func testInclusionIsSound() {
        var g = Generator(random: SeededRandom(seed: 6))
        for _ in 0..<Self.iterations {
            let a = g.tag(), b = g.tag()
            guard a.includes(b) else { continue }
            for _ in 0..<10 {
                let r = g.request()
                if b.includes(r) { XCTAssertTrue(a.includes(r), "\(a) allows \(b), which allows \(r)") }
            }
        }
    }
}
