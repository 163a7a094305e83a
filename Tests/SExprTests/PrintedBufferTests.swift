import SExpr
import XCTest

/// `AdvancedPrinter.printed(replacingBuffer:of:)`: a builder's document printed again from
/// its buffer with new bytes written over the previous ones, without a new document. Over
/// random documents whose parts are appended as values or as canonical bytes, then
/// rewritten in place (same kind and length, or anything of the same length): whenever it
/// answers, the bytes are `print(_:)` of the document a builder makes of the new parts;
/// without hints it answers exactly when printing the new document would patch (the same
/// nodes, the same widths); and it refuses a rewrite of the same length that moves an
/// atom's boundaries (a length prefix or a parenthesis changed).
final class PrintedBufferTests: XCTestCase {
    typealias Generator = RoundTripPropertyTests.Generator

    /// A document of `parts` (appended canonically when `canonical`, else as values) and
    /// where each part's bytes start in its buffer.
    static func build(_ parts: [(value: SExpr, canonical: Bool)]) throws -> (SExprDocument, [Int]) {
        var builder = SExprDocument.Builder()
        var offsets: [Int] = []
        builder.open("root")
        for part in parts {
            builder.open("part")
            offsets.append(builder.byteCount)
            if part.canonical {
                try builder.append(canonical: part.value.canonical)
            } else {
                builder.append(part.value)
            }
            builder.close()
        }
        builder.close()
        return (builder.build(), offsets)
    }

    /// Drops display hints (a document with hints is never patched from its buffer).
    static func unhinted(_ value: SExpr) -> SExpr {
        switch value {
        case .atom(let atom): .atom(.init(atom.bytes))
        case .list(let items): .list(items.map(unhinted))
        }
    }

    static func hasHints(_ value: SExpr) -> Bool {
        switch value {
        case .atom(let atom): atom.hint != nil
        case .list(let items): items.contains(where: hasHints)
        }
    }

    func testRewrittenBuffersPrintAsTheirDocuments() throws {
        var generator = Generator(state: 0xB0FF_E2ED)
        var answered = 0, refused = 0
        for iteration in 0..<300 {
            let hinted = iteration % 10 == 9
            let parts: [(value: SExpr, canonical: Bool)] = (0..<1 + generator.below(4)).map { _ in
                let value = generator.value(depth: 1)
                return (hinted ? value : Self.unhinted(value), generator.below(3) != 0)
            }
            for width in [0, 40, 100] {
                let printer = AdvancedPrinter(width: width)
                let (document, offsets) = try Self.build(parts)
                var previous = printer.printed(document)
                var previousParts = parts
                for round in 0..<3 {
                    let change: PrintedReuseTests.Change = (iteration + round) % 3 == 0 ? .any : .sameWidths
                    var next = previousParts
                    for index in next.indices where next[index].canonical {
                        let value = PrintedReuseTests.changed(next[index].value, change, &generator)
                        // Only rewrites of the same canonical length fit the buffer.
                        if value.canonical.count == next[index].value.canonical.count { next[index].value = value }
                    }
                    guard var buffer = previous.buffer else { return XCTFail("a built document has a buffer") }
                    for (index, part) in next.enumerated() where part.canonical {
                        let bytes = part.value.canonical
                        buffer.replaceSubrange(offsets[index] ..< offsets[index] + bytes.count, with: bytes)
                    }
                    let expected = try Self.build(next).0
                    let label = "iteration \(iteration), width \(width), round \(round)"
                    // Through a new document: patched when the nodes and widths allow.
                    let viaDocument = printer.printed(expected, reusing: previous)
                    let printed = printer.printed(replacingBuffer: buffer, of: previous)
                    if let printed {
                        answered += 1
                        XCTAssertTrue(printed.patched, label)
                        XCTAssertEqual(printed.bytes, printer.print(expected), label)
                    } else {
                        refused += 1
                    }
                    // Without hints (none given, none added by a change), it answers exactly
                    // when the document would be patched.
                    if !(previousParts + next).contains(where: { Self.hasHints($0.value) }) {
                        XCTAssertEqual(printed != nil, viaDocument.patched, label)
                    }
                    previous = printed ?? viaDocument
                    previousParts = next
                }
            }
        }
        XCTAssertGreaterThan(answered, 1000, "answered \(answered), refused \(refused)")
        XCTAssertGreaterThan(refused, 50, "answered \(answered), refused \(refused)")
    }

    /// `(3:abc4:defg)` rewritten as `(4:abcd3:efg)`: as long, but the atoms' boundaries
    /// move, so the previous nodes would be wrong.
    func testARewriteThatMovesAnAtomBoundaryIsRefused() throws {
        let printer = AdvancedPrinter(width: 100)
        let (document, offsets) = try Self.build([(["abc", "defg"], true)])
        let previous = printer.printed(document)
        var buffer = try XCTUnwrap(previous.buffer)
        let moved = Array("(4:abcd3:efg)".utf8)
        buffer.replaceSubrange(offsets[0] ..< offsets[0] + moved.count, with: moved)
        XCTAssertNil(printer.printed(replacingBuffer: buffer, of: previous))
        // The same rewrite inside the atoms is taken.
        var inside = try XCTUnwrap(previous.buffer)
        let same = Array("(3:xyz4:wxyz)".utf8)
        inside.replaceSubrange(offsets[0] ..< offsets[0] + same.count, with: same)
        let printed = try XCTUnwrap(printer.printed(replacingBuffer: inside, of: previous))
        XCTAssertEqual(printed.bytes, printer.print(try Self.build([(["xyz", "wxyz"], true)]).0))
        // A parsed document has no buffer to rewrite.
        XCTAssertNil(printer.printed(try SExprParser().parse(Array("(a b)".utf8))).buffer)
    }
}
