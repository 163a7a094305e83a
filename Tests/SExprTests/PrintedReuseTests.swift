import SExpr
import XCTest

/// `AdvancedPrinter.printed(_:reusing:)` gives `print(_:)`'s bytes whether it patches the
/// previous output or lays the document out again: over random documents changed as an
/// epoch changes a bundle's files (atoms rewritten with bytes of the same kind and length:
/// same printed width) and in every way that can move the layout (an atom longer or shorter,
/// of another style, a hint changed, added or removed, an element added or removed, a list
/// in place of an atom), chained over several prints.
final class PrintedReuseTests: XCTestCase {
    typealias Generator = RoundTripPropertyTests.Generator

    /// `bytes` with each byte replaced by another of its kind (lower-case letter, digit,
    /// byte outside printable ASCII, tab/line feed/carriage return, other control byte, anything
    /// else kept): the same style and printed width.
    static func sameKind(_ bytes: [UInt8], _ generator: inout Generator) -> [UInt8] {
        bytes.map { c in
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): UInt8(ascii: "a") + UInt8(generator.below(26))
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt8(ascii: "0") + UInt8(generator.below(10))
            case 0x80...0xFF: 0x80 + UInt8(generator.below(128))
            // Tab, line feed and carriage return print as escapes in a quoted string; the
            // other control bytes make an atom base64.
            case 0x09, 0x0A, 0x0D: [0x09, 0x0A, 0x0D][generator.below(3)]
            case 0..<0x20: [UInt8](0..<0x20).filter { ![0x09, 0x0A, 0x0D].contains($0) }[generator.below(29)]
            default: c
            }
        }
    }

    /// How a value changes from one print to the next.
    enum Change: CaseIterable {
        /// Atoms rewritten with bytes of the same kind: the layout stays.
        case sameWidths
        /// Anything, mostly same widths with a few changes that can move the layout.
        case any
    }

    static func changed(_ value: SExpr, _ change: Change, _ generator: inout Generator) -> SExpr {
        switch value {
        case .atom(let atom):
            if change == .any && generator.below(25) == 0 {
                switch generator.below(5) {
                case 0: return .atom(.init(atom.bytes + [UInt8(ascii: "x")], hint: atom.hint))
                case 1: return .atom(.init(Array(atom.bytes.dropLast()), hint: atom.hint))
                case 2: return .atom(.init(generator.bytes(), hint: atom.hint))
                case 3: return .atom(.init(atom.bytes, hint: atom.hint == nil ? generator.bytes() : nil))
                default: return .list([.atom(atom)])
                }
            }
            guard generator.below(2) == 0 else { return value }
            return .atom(.init(sameKind(atom.bytes, &generator), hint: atom.hint))
        case .list(var items):
            if change == .any && generator.below(30) == 0 {
                if items.isEmpty || generator.below(2) == 0 {
                    items.append(generator.value(depth: 5))
                } else {
                    items.remove(at: generator.below(items.count))
                }
            }
            return .list(items.map { changed($0, change, &generator) })
        }
    }

    func testPatchedPrintsAreThePrintedBytes() throws {
        var generator = Generator(state: 0x9A7C_4ED1)
        var patched = 0, laidOut = 0
        for iteration in 0..<250 {
            let change: Change = iteration % 2 == 0 ? .sameWidths : .any
            var values = (0..<1 + generator.below(3)).map { _ in generator.value(depth: 0) }
            for width in [0, 1, 20, 72, 100] {
                let printer = AdvancedPrinter(width: width)
                var previous = printer.printed(SExprDocument(values: values))
                XCTAssertFalse(previous.patched)
                XCTAssertEqual(previous.bytes, printer.print(SExprDocument(values: values)), "iteration \(iteration), width \(width)")
                for round in 0..<4 {
                    values = values.map { Self.changed($0, change, &generator) }
                    let document = SExprDocument(values: values)
                    let next = printer.printed(document, reusing: previous)
                    XCTAssertEqual(next.bytes, printer.print(document),
                                   "iteration \(iteration), width \(width), round \(round), patched \(next.patched)")
                    if change == .sameWidths { XCTAssertTrue(next.patched, "iteration \(iteration), width \(width), round \(round)") }
                    if next.patched { patched += 1 } else { laidOut += 1 }
                    previous = next
                }
            }
        }
        // Both paths are exercised by the `.any` changes.
        XCTAssertGreaterThan(patched, 2500)
        XCTAssertGreaterThan(laidOut, 200)
    }

    /// An atom of another style but the same printed width (`abcde` and `"a b"`, 5
    /// columns) is patched; a wider one is laid out again, and the list no longer fits.
    func testStylesAndWidths() throws {
        let printer = AdvancedPrinter(width: 12)
        let first = printer.printed(SExprDocument(values: [["x", "abcde", "y"]]))
        XCTAssertEqual(String(decoding: first.bytes, as: UTF8.self), "(x abcde y)\n")
        let quoted = SExprDocument(values: [["x", .string("a b"), "y"]])
        let patched = printer.printed(quoted, reusing: first)
        XCTAssertTrue(patched.patched)
        XCTAssertEqual(String(decoding: patched.bytes, as: UTF8.self), "(x \"a b\" y)\n")
        let wider = SExprDocument(values: [["x", .string("a bcd"), ["y"]]])
        let laidOut = printer.printed(wider, reusing: patched)
        XCTAssertFalse(laidOut.patched)
        XCTAssertEqual(laidOut.bytes, printer.print(wider))
        XCTAssertEqual(String(decoding: laidOut.bytes, as: UTF8.self), "(x \"a bcd\"\n (y))\n")
        // Another printer width never reuses.
        XCTAssertFalse(AdvancedPrinter(width: 13).printed(quoted, reusing: first).patched)
        // Binary atoms of the same base64 width (253 to 255 bytes: 340 columns) are patched.
        let long = printer.printed(SExprDocument(values: [["sig", .bytes([UInt8](repeating: 0xFF, count: 255))]]))
        let shorter = SExprDocument(values: [["sig", .bytes([UInt8](repeating: 0x01, count: 253))]])
        let next = printer.printed(shorter, reusing: long)
        XCTAssertTrue(next.patched)
        XCTAssertEqual(next.bytes, printer.print(shorter))
    }

    /// Documents made by `SExprDocument.Builder` (as the bundles' files are), including
    /// chains appended from canonical bytes, patch like parsed ones.
    func testBuiltDocuments() throws {
        var generator = Generator(state: 0xB0B)
        let printer = AdvancedPrinter(width: 100)
        var previous: AdvancedPrinter.Printed?
        var values = (0..<3).map { _ in generator.value(depth: 1) }
        for round in 0..<50 {
            var builder = SExprDocument.Builder()
            builder.open("authorized")
            builder.field("epoch", String(1000 + round))
            for value in values {
                builder.open("chain")
                try builder.append(canonical: value.canonical)
                builder.close()
            }
            builder.close()
            let document = builder.build()
            let printed = printer.printed(document, reusing: previous)
            XCTAssertEqual(printed.bytes, printer.print(document), "round \(round)")
            XCTAssertEqual(printed.patched, round > 0, "round \(round)")
            previous = printed
            values = values.map { Self.changed($0, .sameWidths, &generator) }
        }
    }
}
