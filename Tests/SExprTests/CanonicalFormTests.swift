import SExpr
import XCTest

final class CanonicalFormTests: XCTestCase {
    func parseAll(_ text: String) throws -> [SExpr] {
        try SExpr.parseAll(Array(text.utf8))
    }

    func testVerbatimStringsAndLists() throws {
        let value = try SExpr.parse("(4:cert(6:issuer3:bob))")
        XCTAssertEqual(value, ["cert", ["issuer", "bob"]])
        XCTAssertEqual(value.canonical, Array("(4:cert(6:issuer3:bob))".utf8))
    }

    func testEmptyStringIsZeroColon() throws {
        let value = try SExpr.parse("(0:)")
        XCTAssertEqual(value, [.bytes([])])
        XCTAssertEqual(SExpr.bytes([]).canonical, Array("0:".utf8))
    }

    func testEmptyList() throws {
        XCTAssertEqual(try SExpr.parse("()"), .list([]))
        XCTAssertEqual(SExpr.list([]).canonical, Array("()".utf8))
    }

    func testNulBytesInsideCanonicalStrings() throws {
        let input: [UInt8] = Array("(3:".utf8) + [0, 0x41, 0] + Array(")".utf8)
        let value = try SExpr.parse(input)
        XCTAssertEqual(value, [.bytes([0, 0x41, 0])])
        XCTAssertEqual(value.canonical, input)
    }

    func testBinaryBytesRoundTrip() throws {
        let all = (0...255).map { UInt8($0) }
        let value: SExpr = [.bytes(all), .bytes(all.reversed())]
        XCTAssertEqual(try SExpr.parse(value.canonical), value)
    }

    func testSeveralTopLevelExpressions() throws {
        let input = "(1:a)3:xyz(1:b())"
        let document = try SExprParser().parse(Array(input.utf8))
        XCTAssertEqual(document.rootCount, 3)
        XCTAssertEqual(document.values, [["a"], "xyz", ["b", []]])
        XCTAssertEqual(CanonicalPrinter.print(document), Array(input.utf8))
    }

    func testDisplayHintInEveryPosition() throws {
        let cases: [(String, SExpr)] = [
            ("[4:text]5:hello", .string("hello", hint: "text")),
            ("([1:h]1:a)", [.string("a", hint: "h")]),
            ("(1:a[1:h]1:b)", ["a", .string("b", hint: "h")]),
            ("(1:a(1:b[1:h]1:c))", ["a", ["b", .string("c", hint: "h")]]),
            ("[0:]0:", .atom(.init([], hint: []))),
            ("([1:x]1:a[1:y]1:b)", [.string("a", hint: "x"), .string("b", hint: "y")]),
        ]
        for (input, expected) in cases {
            let value = try SExpr.parse(input)
            XCTAssertEqual(value, expected, input)
            XCTAssertEqual(value.canonical, Array(input.utf8), input)
        }
    }

    func testHintIsPartOfEquality() throws {
        XCTAssertNotEqual(try SExpr.parse("[1:h]1:a"), try SExpr.parse("1:a"))
        XCTAssertNotEqual(try SExpr.parse("[1:h]1:a"), try SExpr.parse("[1:g]1:a"))
        var seen = Set<SExpr>()
        seen.insert(try SExpr.parse("[1:h]1:a"))
        XCTAssertTrue(seen.contains(try SExpr.parse("[1:h]\"a\"")))
        XCTAssertFalse(seen.contains(try SExpr.parse("1:a")))
    }

    func testCanonicalIsByteExactForCanonicalInput() throws {
        let inputs = [
            "(10:public-key(16:rsa-pkcs1-sha256(1:n3:\u{1}\u{2}\u{3})(1:e3:\u{1}\u{0}\u{1})))",
            "(8:sequence(4:cert(6:issuer1:k)(7:subject1:s)(3:tag(1:*)))(9:signature1:x))",
            "(1:a(1:b(1:c(1:d()))))",
        ]
        for input in inputs {
            let document = try SExprParser().parse(Array(input.utf8))
            XCTAssertEqual(CanonicalPrinter.print(document), Array(input.utf8))
        }
    }

    func testCanonicalOnlyRejectsAdvancedSyntax() {
        let options = SExprParser.Options(canonicalOnly: true)
        XCTAssertNoThrow(try SExpr.parse("(1:a[1:h]1:b)", options: options))
        for input in ["(a)", "(1:a )", "{KDE6YSk=}", "(\"a\")", "[h]1:a"] {
            XCTAssertThrowsError(try SExpr.parse(input, options: options), input) { error in
                let code = (error as? SExprError)?.code
                XCTAssertTrue(code == .notCanonical || code == .badHint, "\(input): \(String(describing: code))")
            }
        }
    }

    func testDocumentAccessors() throws {
        let document = try SExprParser().parse(Array("(4:cert[1:h]3:bob())".utf8))
        XCTAssertEqual(document.nodeCount, 4)
        XCTAssertTrue(document.isList(0))
        XCTAssertEqual(document.children(0), [1, 2, 3])
        XCTAssertEqual(document.childCount(0), 3)
        XCTAssertEqual(document.atomBytes(1), Array("cert".utf8))
        XCTAssertNil(document.atomHint(1))
        XCTAssertEqual(document.atomHint(2), Array("h".utf8))
        XCTAssertEqual(document.sourceOffset(1), 3)
        XCTAssertNil(document.sourceOffset(0))
        XCTAssertEqual(document.childCount(3), 0)
        XCTAssertEqual(document.subtreeEnd(0), 4)
        XCTAssertEqual(CanonicalPrinter.print(document, node: 3), Array("()".utf8))
    }

    func testValueHelpers() throws {
        let cert = try SExpr.parse("(cert (issuer bob) (tag (*)))")
        XCTAssertEqual(cert.head, "cert")
        XCTAssertEqual(cert.first("issuer"), ["issuer", "bob"])
        XCTAssertEqual(cert.tail.count, 2)
        XCTAssertNil(cert.first("valid"))
        XCTAssertEqual(SExpr.string("x").text, "x")
        XCTAssertNil(SExpr.bytes([0xFF]).text)
        XCTAssertEqual(cert.description, "(cert (issuer bob) (tag (*)))")
    }
}
