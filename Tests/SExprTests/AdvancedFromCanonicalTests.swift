import Foundation
import SExpr
import TestSupport
import XCTest

/// `AdvancedPrinter.print(canonical:)` (the advanced form straight from canonical bytes)
/// against `SExpr.advanced(width:)` of the parsed value: byte for byte, at every width.
final class AdvancedFromCanonicalTests: XCTestCase {
    static let widths = [0, 1, 5, 20, 40, 72, 200]

    func assertSameAdvanced(_ value: SExpr, _ label: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let canonical = value.canonical
        for width in Self.widths {
            let printer = AdvancedPrinter(width: width)
            XCTAssertEqual(try printer.print(canonical: canonical), printer.print(value), "\(label), width \(width)", file: file, line: line)
            XCTAssertEqual(try printer.text(canonical: canonical), value.advanced(width: width), "\(label), width \(width)", file: file, line: line)
        }
    }

    func testRandomValues() throws {
        var generator = RoundTripPropertyTests.Generator(state: 0xADF)
        for iteration in 0..<1000 {
            try assertSameAdvanced(generator.value(depth: 0), "iteration \(iteration)")
        }
    }

    func testWideAndDeepValues() throws {
        // Long atoms (wider than any line), hints on every style, deep nesting, empty lists.
        let long = SExpr.atom(.init(Array(repeating: UInt8(ascii: "x"), count: 300)))
        let binary = SExpr.atom(.init((0..<200).map { UInt8($0) }, hint: Array("application/octet-stream".utf8)))
        var deep: SExpr = ["leaf", "a b", .list([])]
        for level in 0..<60 { deep = ["level", .string(String(level)), deep, long] }
        for value: SExpr in [long, binary, deep, .list([]), [[], [[]]], ["sequence", binary, long, ["x", .atom(.init(Array("q\"\\".utf8), hint: [0, 1]))]]] {
            try assertSameAdvanced(value, value.canonical.count.description)
        }
    }

    /// Every S-expression file of the corpus (`corpus/`, recursively) that holds
    /// expressions: each of them.
    func testCorpusExamples() throws {
        let root = PackagePaths.corpus("")
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
            .filter { ["sexp", "canon", "spki", "txt", "pub"].contains($0.pathExtension) }
            .sorted { $0.path < $1.path }
        var checked = 0
        for url in files {
            guard let values = try? SExpr.parseAll(Array(Data(contentsOf: url))) else { continue }
            for (index, value) in values.enumerated() {
                try assertSameAdvanced(value, "\(url.lastPathComponent) #\(index)")
                checked += 1
            }
        }
        XCTAssertGreaterThanOrEqual(checked, 20, "the corpus is missing")
    }

    func testNotOneCanonicalExpressionIsAnError() {
        for bad in ["(3:abc", "3:abc3:def", "(a b)", "", "|YWJj|"] {
            XCTAssertThrowsError(try AdvancedPrinter().print(canonical: Array(bad.utf8)), bad)
        }
    }
}
