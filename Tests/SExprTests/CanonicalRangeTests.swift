import SExpr
import XCTest

/// `SExprDocument.canonicalRange`: the input bytes of a node, only when they are exactly
/// its canonical encoding.
final class CanonicalRangeTests: XCTestCase {
    func range(_ text: String, child: Int? = nil) throws -> (SExprDocument, Range<Int>?) {
        let document = try SExprParser().parse(Array(text.utf8))
        let node = child.map { document.children(0)[$0] } ?? 0
        return (document, document.canonicalRange(node))
    }

    func testCanonicalInputGivesEachNodesBytes() throws {
        let text = "(8:sequence(4:cert(6:issuer3:abc)(3:tag(1:*)))[4:text]5:hello(0:)())"
        let (document, whole) = try range(text)
        XCTAssertEqual(whole, 0..<text.utf8.count)
        // The last child, `()`, is an empty list: no atom to find its start from.
        XCTAssertNil(document.canonicalRange(document.children(0)[4]))
        for (index, child) in document.children(0).dropLast().enumerated() {
            let range = try XCTUnwrap(document.canonicalRange(child), "child \(index)")
            // The range is the node's canonical encoding, as printed from its value.
            XCTAssertEqual(Array(document.source[range]), document.value(child).canonical, "child \(index)")
        }
    }

    func testEmptyFirstListHasNoStartAndFallsBack() throws {
        // `()` has no atom to find its start from: the caller prints it instead.
        let (document, _) = try range("(1:a())")
        XCTAssertNil(document.canonicalRange(document.children(0)[1]))
    }

    func testNonCanonicalInputGivesNothing() throws {
        for text in ["(cert (issuer abc))", "(4:cert (6:issuer3:abc))", "(4:cert\"abc\")", "(4:cert#616263#)",
                     "(4:cert|YWJj|)", "{KDQ6Y2VydCk=}", "[ 4:text]4:cert"] {
            let (document, whole) = try range(text)
            XCTAssertNil(whole, text)
            // Still correct when some children are canonical: those keep their bytes.
            for child in document.children(0) {
                if let range = document.canonicalRange(child) {
                    XCTAssertEqual(Array(document.source[range]), document.value(child).canonical, text)
                }
            }
        }
    }

    /// Property: for random canonical documents, every node's range prints back to its
    /// value, and `canonicalRange(_:within:)` gives the same range; the same documents in
    /// advanced form give no range for any list.
    func testRandomDocuments() throws {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(seed >> 33)
        }
        func random(_ depth: Int) -> SExpr {
            if depth > 3 || next() % 3 == 0 {
                let bytes = (0..<(next() % 12)).map { _ in UInt8(next() % 256) }
                return .bytes(bytes, hint: next() % 5 == 0 ? Array("h".utf8) : nil)
            }
            return .list((0..<(1 + next() % 4)).map { _ in random(depth + 1) })
        }
        for _ in 0..<200 {
            let value = SExpr.list([random(0), random(0)])
            let document = try SExprParser().parse(value.canonical)
            let whole = 0..<document.source.count
            for node in 0..<document.nodeCount {
                guard let range = document.canonicalRange(node) else {
                    // Only an empty first list, or a list opening with one, lacks a start.
                    XCTAssertNil(document.canonicalRange(node, within: whole))
                    continue
                }
                XCTAssertEqual(Array(document.source[range]), document.value(node).canonical)
                // Inside a checked range, the same range from the node lengths alone.
                XCTAssertEqual(document.canonicalRange(node, within: whole), range)
            }
            XCTAssertEqual(document.canonicalRange(0), 0..<document.source.count)
            let advanced = try SExprParser().parse(Array(value.advanced(width: 20).utf8))
            XCTAssertNil(advanced.canonicalRange(0))
        }
    }
}
