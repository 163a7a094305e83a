import SExpr
import XCTest

final class AdvancedFormTests: XCTestCase {
    func bytes(_ input: String) throws -> [UInt8] {
        try XCTUnwrap(SExpr.parse(input).atomBytes)
    }

    func testTokens() throws {
        XCTAssertEqual(try SExpr.parse("(a.b/c_d:e*f+g=h -x .y Z9)"), ["a.b/c_d:e*f+g=h", "-x", ".y", "Z9"])
    }

    func testWhitespaceAndComments() throws {
        let input = """
            ; leading comment
            ( a\t b ; trailing comment
              (c)\r\n\u{0B}\u{0C} )  ; done
            """
        XCTAssertEqual(try SExpr.parse(input), ["a", "b", ["c"]])
    }

    func testQuotedEscapes() throws {
        XCTAssertEqual(try bytes(#""\b\t\v\n\f\r\"\'\\""#), [8, 9, 11, 10, 12, 13, 0x22, 0x27, 0x5C])
        XCTAssertEqual(try bytes(#""\101\000\377""#), [0x41, 0, 0xFF])
        XCTAssertEqual(try bytes(#""\x41\x00\xfF""#), [0x41, 0, 0xFF])
        XCTAssertEqual(try bytes("\"a\\\nb\""), Array("ab".utf8))
        XCTAssertEqual(try bytes("\"a\\\r\nb\""), Array("ab".utf8))
        XCTAssertEqual(try bytes("\"a\\\n\rb\""), Array("ab".utf8))
        XCTAssertEqual(try bytes("\"a\\\rb\""), Array("ab".utf8))
        XCTAssertEqual(try bytes("\"raw\nnewline\""), Array("raw\nnewline".utf8))
        XCTAssertEqual(try bytes("\"\""), [])
    }

    func testHexAndBase64() throws {
        XCTAssertEqual(try bytes("#616263#"), Array("abc".utf8))
        XCTAssertEqual(try bytes("# 61 62\n63 #"), Array("abc".utf8))
        XCTAssertEqual(try bytes("#AbCd#"), [0xAB, 0xCD])
        XCTAssertEqual(try bytes("##"), [])
        XCTAssertEqual(try bytes("|YWJj|"), Array("abc".utf8))
        XCTAssertEqual(try bytes("| YW Jj\nZA== |"), Array("abcd".utf8))
        XCTAssertEqual(try bytes("|YWJjZA|"), Array("abcd".utf8), "padding is optional")
        XCTAssertEqual(try bytes("||"), [])
    }

    func testLengthPrefixedStrings() throws {
        XCTAssertEqual(try bytes("3\"abc\""), Array("abc".utf8))
        XCTAssertEqual(try bytes("2#4142#"), Array("AB".utf8))
        XCTAssertEqual(try bytes("3|YWJj|"), Array("abc".utf8))
        XCTAssertEqual(try bytes("3:abc"), Array("abc".utf8))
        XCTAssertEqual(try bytes("2\"\\x41\\n\""), [0x41, 0x0A], "the length counts decoded bytes")
    }

    func testHintsInAdvancedForm() throws {
        XCTAssertEqual(try SExpr.parse("[text/plain]hello"), .string("hello", hint: "text/plain"))
        XCTAssertEqual(try SExpr.parse("[ \"a b\" ] \"c\""), .string("c", hint: "a b"))
        XCTAssertEqual(try SExpr.parse("[#00#]|AAE=|"), .atom(.init([0, 1], hint: [0])))
        XCTAssertEqual(try SExpr.parse("(x [1:h]y)"), ["x", .string("y", hint: "h")])
    }

    func testMixedFormsInOneInput() throws {
        let input = "(a 1:b \"c\" #64# |ZQ==| {KDE6Zik=} [h]g)"
        XCTAssertEqual(try SExpr.parse(input), ["a", "b", "c", "d", "e", ["f"], .string("g", hint: "h")])
    }

    func testPrinterChoosesTokenQuotedOrBase64() {
        let value: SExpr = ["token-ok", .string("has space"), .string("9starts-with-digit"), .bytes([0, 1, 2]),
                            .string(""), .string("quote\" and \\"), .string("tab\there"),
                            .string("two\nlines\r\n"), .string("bell\u{7}"), .string("caf\u{e9}")]
        // Text with tabs and line breaks stays readable (escapes); other control bytes and
        // bytes past ASCII are base64.
        let printed = value.advanced(width: 0)
        XCTAssertEqual(printed, #"(token-ok "has space" "9starts-with-digit" |AAEC| "" "quote\" and \\" "tab\there" "two\nlines\r\n" |YmVsbAc=| |Y2Fmw6k=|)"#)
        XCTAssertEqual(try SExpr.parse(printed), value)
    }

    func testPrinterBreaksLongListsAndParsesBack() throws {
        let value: SExpr = ["cert", ["issuer", .string(String(repeating: "k", count: 50))],
                            ["subject", ["hash", "sha256", .bytes(Array(repeating: 7, count: 32))]],
                            ["tag", ["*", "set", "read", "write"]]]
        let text = value.advanced(width: 40)
        XCTAssertEqual(text, """
            (cert
             (issuer kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk)
             (subject
              (hash sha256 |BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=|))
             (tag (* set read write)))
            """)
        XCTAssertEqual(try SExpr.parse(text), value)
        XCTAssertFalse(value.advanced(width: 0).contains("\n"))
        // Lists after the head each get a line; atoms that fit stay beside the head.
        XCTAssertEqual((["vpxi", "bronze", ["a", "b"], ["c", "d"]] as SExpr).advanced(width: 16), """
            (vpxi bronze
             (a b)
             (c d))
            """)
    }

    func testDocumentAdvancedPrintEndsEachExpressionWithNewline() throws {
        let document = try SExprParser().parse(Array("(1:a)(1:b)".utf8))
        XCTAssertEqual(String(decoding: AdvancedPrinter(width: 72).print(document), as: UTF8.self), "(a)\n(b)\n")
    }
}
