import SExpr
import XCTest

/// Random S-expressions round-trip through every printer and the parser.
final class RoundTripPropertyTests: XCTestCase {
    struct Generator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }

        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

        mutating func bytes() -> [UInt8] {
            switch below(5) {
            case 0: return (0..<below(6)).map { _ in UInt8(ascii: "a") + UInt8(below(26)) }
            case 1: return (0..<below(40)).map { _ in UInt8(below(256)) }
            case 2: return Array("has space \"quote\" \\ back".utf8.prefix(below(25)))
            case 3: return Array("9digit-first".utf8)
            default: return (0..<below(8)).map { _ in Array("-./_:*+=xyz019".utf8)[below(14)] }
            }
        }

        mutating func value(depth: Int) -> SExpr {
            if depth > 6 || below(3) == 0 {
                return .atom(.init(bytes(), hint: below(6) == 0 ? bytes() : nil))
            }
            return .list((0..<below(6)).map { _ in value(depth: depth + 1) })
        }
    }

    func testRandomValuesRoundTripThroughEveryPrinter() throws {
        var generator = Generator(state: 0x5EED)
        for iteration in 0..<3000 {
            let value = generator.value(depth: 0)
            let canonical = value.canonical
            XCTAssertEqual(try SExpr.parse(canonical), value, "canonical, iteration \(iteration)")
            for width in [0, 1, 20, 72] {
                let advanced = value.advanced(width: width)
                XCTAssertEqual(try SExpr.parse(advanced), value, "advanced \(width), iteration \(iteration): \(advanced)")
                let transport = value.transport(width: width)
                XCTAssertEqual(try SExpr.parse(transport), value, "transport \(width), iteration \(iteration)")
            }
            // Canonical bytes are stable through a second parse and print.
            let document = try SExprParser().parse(canonical)
            XCTAssertEqual(CanonicalPrinter.print(document), canonical)
        }
    }

    func testDocumentsRoundTripWithSeveralRoots() throws {
        var generator = Generator(state: 42)
        for _ in 0..<300 {
            let values = (0..<1 + generator.below(4)).map { _ in generator.value(depth: 0) }
            let document = SExprDocument(values: values)
            let canonical = CanonicalPrinter.print(document)
            XCTAssertEqual(try SExpr.parseAll(canonical), values)
            XCTAssertEqual(try SExpr.parseAll(AdvancedPrinter(width: 30).print(document)), values)
            XCTAssertEqual(try SExpr.parseAll(TransportPrinter(width: 16).print(document)), values)
        }
    }

    func testEqualValuesHashEqually() throws {
        var generator = Generator(state: 7)
        for _ in 0..<500 {
            let value = generator.value(depth: 0)
            let reparsed = try SExpr.parse(value.advanced(width: 10))
            XCTAssertEqual(value.hashValue, reparsed.hashValue)
        }
    }
}
