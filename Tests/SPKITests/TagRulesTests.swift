import Foundation
import SExpr
import SPKI
import TestSupport
import XCTest

/// The rules table, the published cases, and parsing and printing of every tag form.
final class TagRulesTests: XCTestCase {
    func testRulesTable() {
        for row in TagRulesTable.rows {
            let a = tag(row.a), b = tag(row.b), expected = tag(row.intersection).normalized
            XCTAssertEqual(a.intersection(b), expected, "\(row.rule): \(row.a) ∩ \(row.b) = \(a.intersection(b)), expected \(expected)")
            XCTAssertEqual(b.intersection(a), expected, "\(row.rule): commuted")
            XCTAssertEqual(a.includes(b), row.aAllowsB, "\(row.rule): \(row.a) allows \(row.b)")
            XCTAssertEqual(b.includes(a), row.bAllowsA, "\(row.rule): \(row.b) allows \(row.a)")
            // A allows B exactly when A ∩ B = B, syntactically in normal form when B holds
            // no set (a set can be written in several equivalent ways).
            if !row.b.contains("(* set") {
                XCTAssertEqual(a.includes(b), a.intersection(b) == b.normalized, "\(row.rule): inclusion agrees with intersection")
            }
        }
    }

    /// Docs/tags.md shows the same table: every row there is checked here.
    func testDocsTableMatches() throws {
        let url = PackagePaths.root.appendingPathComponent("Docs/tags.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        var checked = 0
        for line in text.split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 7, cells[2].hasPrefix("`") else { continue }
            func code(_ cell: String) -> String { String(cell.dropFirst().dropLast()) }
            let a = tag(code(cells[2])), b = tag(code(cells[3])), expected = tag(code(cells[4])).normalized
            XCTAssertEqual(a.intersection(b), expected, "Docs/tags.md row: \(line)")
            XCTAssertEqual(a.includes(b), cells[5] == "yes", "Docs/tags.md row (A allows B): \(line)")
            XCTAssertEqual(b.includes(a), cells[6] == "yes", "Docs/tags.md row (B allows A): \(line)")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, TagRulesTable.rows.count, "Docs/tags.md should show every rule")
    }

    // MARK: Published cases

    func testRFC2693FTPExample() {
        let grant = tag("(ftp ftp.clark.net cme (* set read write))")
        XCTAssertTrue(grant.includes(tag("(ftp ftp.clark.net cme read)")))
        XCTAssertTrue(grant.includes(tag("(ftp ftp.clark.net cme write)")))
        XCTAssertFalse(grant.includes(tag("(ftp ftp.clark.net cme delete)")))
        XCTAssertFalse(grant.includes(tag("(ftp ftp.clark.net cme)")), "a shorter request is not allowed")
        XCTAssertEqual(grant.intersection(tag("(ftp ftp.clark.net cme delete)")), .none)
    }

    func testAlphaAndNumericRangesDisagreeOn1900() {
        XCTAssertFalse(tag("(* range alpha ge \"199\")").includes(tag("\"1900\"")))
        XCTAssertTrue(tag("(* range numeric ge \"199\")").includes(tag("\"1900\"")))
    }

    func testDate19000229IsInvalid() {
        XCTAssertThrowsError(try SPKIDate.parse(spki: Array("1900-02-29_00:00:00".utf8))) { error in
            XCTAssertEqual((error as? SPKIError)?.code, .badDate)
        }
        XCTAssertNoThrow(try SPKIDate.parse(spki: Array("2000-02-29_00:00:00".utf8)))
        XCTAssertThrowsError(try Tag(parsing: SExpr.parse("(* range date ge \"1900-02-29_00:00:00\")"))) { error in
            XCTAssertEqual((error as? SPKIError)?.code, .badRangeBound)
        }
        XCTAssertFalse(tag("(* range date)").includes(tag("\"1900-02-29_00:00:00\"")))
    }

    func testBinaryOrderBarAboveC() {
        XCTAssertGreaterThan(RangeOrdering.binary.compare(Array("bar".utf8), Array("c".utf8)), 0)
        XCTAssertLessThan(RangeOrdering.alpha.compare(Array("bar".utf8), Array("c".utf8)), 0)
        XCTAssertEqual(RangeOrdering.binary.compare([0, 0, 5], [5]), 0, "leading zero bytes do not count")
    }

    func testListHeadMismatchIsEmpty() {
        XCTAssertEqual(tag("(ftp a)").intersection(tag("(http a)")), .none)
        XCTAssertTrue(tag("(ftp a)").intersection(tag("(http a)")).isEmpty)
    }

    func testStarElementAndPrefix() {
        XCTAssertEqual(tag("(foo (*))").intersection(tag("(foo (* prefix ba))")), tag("(foo (* prefix ba))"))
    }

    // MARK: Orderings

    func testNumericOrdering() {
        let numeric = RangeOrdering.numeric
        let cases: [(String, String, Int)] = [("2.5", "2.50", 0), ("-0", "0", 0), ("+7", "7", 0), ("007", "7", 0),
                                              ("-10", "-9", -1), ("-1.5", "-1.25", -1), (".5", "0.4", 1), ("5.", "5", 0),
                                              ("123456789012345678901234567890", "123456789012345678901234567889", 1)]
        for (a, b, expected) in cases {
            XCTAssertEqual(numeric.compare(Array(a.utf8), Array(b.utf8)).signum(), expected, "\(a) vs \(b)")
        }
        for bad in ["", "-", ".", "1e5", "1.2.3", " 1", "0x10"] {
            XCTAssertFalse(numeric.accepts(Array(bad.utf8)), "`\(bad)` is not a number")
        }
    }

    func testTimeOrdering() {
        XCTAssertTrue(RangeOrdering.time.accepts(Array("23:59:59".utf8)))
        for bad in ["24:00:00", "12:60:00", "12:00:60", "1:00:00", "12-00-00"] {
            XCTAssertFalse(RangeOrdering.time.accepts(Array(bad.utf8)), bad)
        }
        XCTAssertThrowsError(try Tag(parsing: SExpr.parse("(* range time ge \"25:00:00\")")))
    }

    // MARK: Parsing and printing

    func testRangesPrintFlatLowerBoundFirst() throws {
        let parsed = tag("(* range numeric (le \"10\") (g \"1\"))")
        XCTAssertEqual(parsed.sexp, try SExpr.parse("(* range numeric g \"1\" le \"10\")"))
    }

    func testRoundTripOfEveryForm() throws {
        for text in ["(*)", "read", "[text/plain]read", "(ftp host (* set read write))", "(* set)", "(* prefix \"/data/\")",
                     "(* range alpha)", "(* range date ge \"2026-01-01_00:00:00\" l \"2027-01-01_00:00:00\")",
                     "(* and (* prefix \"1\") (* range numeric ge \"10\"))"] {
            let value = tag(text)
            XCTAssertEqual(try Tag(parsing: SExpr.parse(value.sexp.canonical)), value, text)
        }
        XCTAssertEqual(try Tag(field: SExpr.parse("(tag (*))")), .all)
        XCTAssertEqual(try Tag(fieldOrExpression: SExpr.parse("(ftp)")), tag("(ftp)"))
    }

    func testMalformedTagsAreRefusedWithTheirReason() {
        let cases: [(String, SPKIError.Code)] = [
            ("()", .badTag), ("((a) b)", .badTag), ("(* bogus)", .badTag), ("(* prefix)", .badPrefix),
            ("(* prefix (a))", .badPrefix), ("(* range)", .badRange), ("(* range roman)", .badRange),
            ("(* range numeric ge abc)", .badRangeBound), ("(* range numeric ge \"1\" ge \"2\")", .badRange),
            ("(* range alpha ge)", .badRange), ("(* range alpha gt a)", .badRange), ("(* range alpha ge (a))", .badRangeBound),
            ("(* range alpha ge [h]a le b)", .badRangeBound), ("(* and (ftp))", .badTag),
        ]
        for (text, code) in cases {
            XCTAssertThrowsError(try Tag(parsing: SExpr.parse(text)), text) { error in
                XCTAssertEqual((error as? SPKIError)?.code, code, "\(text): \(error)")
            }
        }
        XCTAssertThrowsError(try Tag(field: SExpr.parse("(tag a b)")))
    }

    func testEmptyRangeNormalisesToNothing() {
        XCTAssertEqual(tag("(* range numeric g \"5\" l \"5\")").normalized, .none)
        XCTAssertEqual(tag("(* range numeric ge \"5\" le \"5\")").normalized, tag("(* range numeric ge \"5\" le \"5\")"))
        XCTAssertEqual(tag("(ftp (* set))").normalized, .none)
    }

    func testPrefixOfAllFFBytesHasNoUpperBound() {
        let allFF = Tag.prefix(SExpr.Atom([0xFF, 0xFF]))
        XCTAssertEqual(allFF.intersection(tag("(* range alpha ge a)")), allFF)
        let result = allFF.intersection(tag("(* range alpha ge #ffff01#)"))
        guard case .range(let range) = result else { return XCTFail("expected a range, got \(result)") }
        XCTAssertNil(range.upper)
        XCTAssertEqual(range.lower?.value, [0xFF, 0xFF, 0x01])
    }

    func testLargeSetsOfAtomsStayFast() {
        let members = (0..<20_000).map { Tag.string("host-\($0)") }
        let big = Tag.set(members), half = Tag.set(Array(members[..<10_000]) + [.string("elsewhere")])
        let start = ContinuousClock.now
        XCTAssertEqual(big.intersection(half).normalized, Tag.set(Array(members[..<10_000])).normalized)
        XCTAssertTrue(big.includes(.string("host-19999")))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10))
    }

    func testEquivalentPatternsHaveOneNormalForm() {
        XCTAssertEqual(tag("(* range alpha)").normalized, tag("(* prefix \"\")"))
        XCTAssertEqual(tag("(* range alpha ge \"\" l b)").normalized, tag("(* range alpha l b)"))
        XCTAssertEqual(tag("(* range alpha ge ab l ac)").normalized, tag("(* prefix ab)"))
        XCTAssertEqual(tag("(* range binary ge #0000# l b)").normalized, tag("(* range binary l b)"))
    }
}
