import SExpr
import XCTest

final class TransportFormTests: XCTestCase {
    func testTransportRoundTrip() throws {
        let value: SExpr = ["cert", ["issuer", "bob"], .string("hello", hint: "text")]
        let text = value.transport()
        XCTAssertEqual(text, "{KDQ6Y2VydCg2Omlzc3VlcjM6Ym9iKVs0OnRleHRdNTpoZWxsbyk=}")
        XCTAssertEqual(try SExpr.parse(text), value)
    }

    func testWhitespaceInsideBraces() throws {
        XCTAssertEqual(try SExpr.parse("{KDQ6Y2VydCg2Omlzc3Vlcj\n M6Ym9iKVs0OnRleHRdNTpo\n\tZWxsbyk=}"),
                       ["cert", ["issuer", "bob"], .string("hello", hint: "text")])
    }

    func testWrapping() throws {
        let value: SExpr = ["a", .bytes(Array(repeating: 0xAB, count: 100))]
        let wrapped = value.transport(width: 20)
        let lines = wrapped.split(separator: "\n")
        XCTAssertGreaterThan(lines.count, 5)
        XCTAssertTrue(lines.allSatisfy { $0.count <= 20 })
        XCTAssertEqual(try SExpr.parse(wrapped), value)
        XCTAssertFalse(value.transport(width: 0).contains("\n"))
    }

    func testTransportInsideAList() throws {
        XCTAssertEqual(try SExpr.parse("(x {KDE6YSk=} y)"), ["x", ["a"], "y"])
        let document = try SExprParser().parse(Array("(x {KDE6YSk=} y)".utf8))
        XCTAssertEqual(document.childCount(0), 3)
    }

    func testTransportMustHoldCanonicalSyntax() {
        // {(a)} in base64: advanced syntax inside the braces.
        XCTAssertThrowsError(try SExpr.parse("{KGEp}")) { error in
            XCTAssertEqual((error as? SExprError)?.code, .notCanonical)
        }
    }

    func testTransportMustHoldExactlyOneExpression() {
        // (1:a)(1:b)
        XCTAssertThrowsError(try SExpr.parse("{KDE6YSkoMTpiKQ==}")) { error in
            XCTAssertEqual((error as? SExprError)?.code, .badTransport)
        }
    }

    func testDocumentTransportPrintsOneLinePerExpression() throws {
        let document = try SExprParser().parse(Array("(1:a)(1:b)".utf8))
        XCTAssertEqual(String(decoding: TransportPrinter().print(document), as: UTF8.self), "{KDE6YSk=}\n{KDE6Yik=}\n")
    }
}
