import SExpr
import XCTest

/// `SExprDocument.Builder` gives the same document as `SExprDocument(values:)`: the same
/// values back, the same advanced and canonical bytes, for random values built node by node.
final class DocumentBuilderTests: XCTestCase {
    func walk(_ value: SExpr, into builder: inout SExprDocument.Builder) {
        switch value {
        case .atom(let atom):
            builder.atom(bytes: atom.bytes, hint: atom.hint)
        case .list(let items):
            builder.open()
            for item in items { walk(item, into: &builder) }
            builder.close()
        }
    }

    func testRandomValuesBuiltNodeByNodePrintAsTheValues() throws {
        var generator = RoundTripPropertyTests.Generator(state: 0xB11D)
        for iteration in 0..<500 {
            let values = (0..<1 + generator.below(3)).map { _ in generator.value(depth: 0) }
            var builder = SExprDocument.Builder()
            for value in values { walk(value, into: &builder) }
            let built = builder.build()
            let reference = SExprDocument(values: values)
            XCTAssertEqual(built.values, values, "iteration \(iteration)")
            XCTAssertEqual(built.rootCount, values.count)
            XCTAssertEqual(CanonicalPrinter.print(built), CanonicalPrinter.print(reference), "iteration \(iteration)")
            for width in [0, 1, 20, 72, 100] {
                XCTAssertEqual(AdvancedPrinter(width: width).print(built), AdvancedPrinter(width: width).print(reference),
                               "width \(width), iteration \(iteration)")
            }
            // `append` flattens a value the same way.
            var appended = SExprDocument.Builder()
            for value in values { appended.append(value) }
            XCTAssertEqual(appended.build().values, values)
        }
    }

    func testFieldsAndHeads() throws {
        var builder = SExprDocument.Builder()
        builder.open("host")
        builder.field("name", "h-1")
        builder.field("label", "")
        builder.open()
        builder.close()
        builder.close()
        let expected: SExpr = ["host", ["name", "h-1"], ["label", .string("")], .list([])]
        XCTAssertEqual(built(builder), [expected])
        XCTAssertEqual(String(decoding: AdvancedPrinter(width: 100).print(builder.build()), as: UTF8.self), expected.advanced(width: 100) + "\n")
    }

    func built(_ builder: SExprDocument.Builder) -> [SExpr] { builder.build().values }
}
