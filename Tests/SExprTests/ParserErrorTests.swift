import SExpr
import XCTest

/// One test per error class: the code, where it points, and what the message says.
final class ParserErrorTests: XCTestCase {
    func failure(_ input: String, options: SExprParser.Options = .init(), file: StaticString = #filePath, line: UInt = #line) -> SExprError? {
        failure(Array(input.utf8), options: options, file: file, line: line)
    }

    func failure(_ input: [UInt8], options: SExprParser.Options = .init(), file: StaticString = #filePath, line: UInt = #line) -> SExprError? {
        do {
            let document = try SExprParser(options: options).parse(input)
            XCTFail("expected an error, parsed \(document.rootCount) expressions", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testEmptyInput() throws {
        let error = try XCTUnwrap(failure(""))
        XCTAssertEqual(error.code, .emptyInput)
        XCTAssertEqual(error.message, "the input is empty: expected an S-expression")
        XCTAssertEqual(try XCTUnwrap(failure("  ; only a comment\n")).code, .emptyInput)
    }

    func testLengthPastEndMatchesTheDocumentedMessage() throws {
        let input = String(repeating: " ", count: 40) + "12:abcdefgh"
        let error = try XCTUnwrap(failure(input))
        XCTAssertEqual(error.code, .lengthPastEnd)
        XCTAssertEqual(error.offset, 40)
        XCTAssertEqual(error.message, "length 12 at offset 40 runs past the end of the input (8 bytes left)")
        XCTAssertEqual(error.line, 1)
        XCTAssertEqual(error.column, 41)
    }

    func testHugeDeclaredLengthFailsBeforeAllocating() throws {
        let error = try XCTUnwrap(failure("(99999999999999999999:a)"))
        XCTAssertEqual(error.code, .lengthPastEnd)
        // The digits past 4294967295 are not accumulated: the message says "or more", not
        // a truncated number.
        XCTAssertEqual(error.message, "length 4294967295 or more at offset 1 runs past the end of the input (2 bytes left)")
        XCTAssertEqual(try XCTUnwrap(failure("(12345678901:a)")).message,
                       "length 4294967295 or more at offset 1 runs past the end of the input (2 bytes left)")
        XCTAssertEqual(try XCTUnwrap(failure("(4294967294:a)")).message,
                       "length 4294967294 at offset 1 runs past the end of the input (2 bytes left)")
        XCTAssertEqual(try XCTUnwrap(failure("4000000000\"abc\"")).code, .lengthPastEnd)
        XCTAssertEqual(try XCTUnwrap(failure("4000000000#00#")).code, .lengthPastEnd)
        XCTAssertEqual(try XCTUnwrap(failure("4000000000|AA==|")).code, .lengthPastEnd)
    }

    func testTruncatedLength() throws {
        let error = try XCTUnwrap(failure("(3:abc 12"))
        XCTAssertEqual(error.code, .unexpectedEnd)
        XCTAssertTrue(error.message.contains("ends after length 12"), error.message)
    }

    func testLeadingZeroLength() throws {
        let error = try XCTUnwrap(failure("(03:abc)"))
        XCTAssertEqual(error.code, .leadingZeroLength)
        XCTAssertEqual(error.offset, 1)
    }

    func testLengthWithoutColon() throws {
        let error = try XCTUnwrap(failure("(3abc)"))
        XCTAssertEqual(error.code, .badLength)
        XCTAssertEqual(error.offset, 2)
        XCTAssertEqual(error.found, "`a`")
    }

    /// A hex token that begins with a digit (a registration token pasted unquoted) reads as a
    /// length: the error says to quote it, and shows it.
    func testTokenStartingWithDigitSaysToQuote() throws {
        let hex = try XCTUnwrap(failure("(token 3be42716ed10c4afde9c034b5613b5f15b264d52)"))
        XCTAssertEqual(hex.code, .badLength)
        XCTAssertTrue(hex.message.hasSuffix("so quote it: \"3be42716ed10c4afde9c034b...\""), hex.message)
        let number = try XCTUnwrap(failure("(cpus 4)"))
        XCTAssertEqual(number.code, .badLength)
        XCTAssertTrue(number.message.hasSuffix("so quote it: \"4\""), number.message)
        let spaced = try XCTUnwrap(failure("(cpus 12 )"))
        XCTAssertTrue(spaced.message.hasSuffix("so quote it: \"12\""), spaced.message)
        // A real length with a bad character after it gets no such advice.
        let other = try XCTUnwrap(failure("(3!abc)"))
        XCTAssertEqual(other.code, .badLength)
        XCTAssertFalse(other.message.contains("quote it"), other.message)
    }

    func testUnbalancedParentheses() throws {
        let close = try XCTUnwrap(failure("(a))"))
        XCTAssertEqual(close.code, .unbalancedClose)
        XCTAssertEqual(close.offset, 3)
        let open = try XCTUnwrap(failure("(a (b\n (c)"))
        XCTAssertEqual(open.code, .unexpectedEnd)
        XCTAssertTrue(open.message.contains("the `(` at offset 3 is never closed"), open.message)
        XCTAssertEqual(open.line, 2)
    }

    func testBadHex() throws {
        let digit = try XCTUnwrap(failure("#61g2#"))
        XCTAssertEqual(digit.code, .badHex)
        XCTAssertEqual(digit.offset, 3)
        XCTAssertEqual(try XCTUnwrap(failure("#616#")).code, .badHex)
        XCTAssertEqual(try XCTUnwrap(failure("#6162")).code, .unexpectedEnd)
    }

    func testBadBase64() throws {
        let character = try XCTUnwrap(failure("|YW*j|"))
        XCTAssertEqual(character.code, .badBase64)
        XCTAssertEqual(character.offset, 3)
        XCTAssertEqual(try XCTUnwrap(failure("|YWJjZ|")).code, .badBase64, "5 symbols cannot encode whole bytes")
        XCTAssertEqual(try XCTUnwrap(failure("|YW=Jj|")).code, .badBase64, "padding in the middle")
        XCTAssertEqual(try XCTUnwrap(failure("|YR==|")).code, .badBase64, "non-zero unused bits")
        XCTAssertEqual(try XCTUnwrap(failure("|YWJj")).code, .unexpectedEnd)
        XCTAssertEqual(try XCTUnwrap(failure("{KDE6YSk")).code, .unexpectedEnd)
        XCTAssertEqual(try XCTUnwrap(failure("{KDE6Y!k=}")).code, .badBase64)
    }

    func testBadEscapes() throws {
        for input in [#""\q""#, #""\x4""#, #""\xZZ""#, #""\12""#, #""\400""#, "\"abc\\"] {
            let error = try XCTUnwrap(failure(input), input)
            XCTAssertTrue(error.code == .badEscape || error.code == .unexpectedEnd, "\(input): \(error.code)")
        }
        let unknown = try XCTUnwrap(failure(#"(a "x\qy")"#))
        XCTAssertEqual(unknown.code, .badEscape)
        XCTAssertEqual(unknown.offset, 5)
        XCTAssertEqual(try XCTUnwrap(failure("\"never closed")).code, .unexpectedEnd)
    }

    func testNestingOverTheLimit() throws {
        let deep = String(repeating: "(", count: 1025) + String(repeating: ")", count: 1025)
        let error = try XCTUnwrap(failure(deep))
        XCTAssertEqual(error.code, .depthExceeded)
        XCTAssertEqual(error.offset, 1024)
        let limit = String(repeating: "(", count: 1024) + String(repeating: ")", count: 1024)
        XCTAssertNoThrow(try SExprParser().parse(Array(limit.utf8)))
        XCTAssertEqual(try XCTUnwrap(failure("((()))", options: .init(maxDepth: 2))).code, .depthExceeded)
    }

    func testVeryDeepInputDoesNotOverflowTheStack() throws {
        let depth = 200_000
        let deep = Array(repeating: UInt8(ascii: "("), count: depth) + Array(repeating: UInt8(ascii: ")"), count: depth)
        let document = try SExprParser(options: .init(maxDepth: depth)).parse(deep)
        XCTAssertEqual(document.nodeCount, depth)
        XCTAssertEqual(CanonicalPrinter.print(document), deep)
        XCTAssertEqual(AdvancedPrinter(width: 0).print(document).count, 2 * depth + 1)
        XCTAssertGreaterThan(AdvancedPrinter(width: 10).print(document).count, 2 * depth)
        // Values are a recursive enum: convert a moderately deep one.
        let moderate = try SExprParser(options: .init(maxDepth: 5000)).parse(
            Array(repeating: UInt8(ascii: "("), count: 5000) + Array(repeating: UInt8(ascii: ")"), count: 5000))
        XCTAssertEqual(moderate.value(0).canonical.count, 10000)
    }

    func testLengthMismatch() throws {
        let error = try XCTUnwrap(failure("(3\"ab\" x y)"))
        XCTAssertEqual(error.code, .lengthMismatch)
        XCTAssertEqual(error.offset, 1)
        XCTAssertEqual(error.message, "the string at offset 2 declares length 3 but holds 2 bytes")
        XCTAssertEqual(try XCTUnwrap(failure("(1#4142#)")).code, .lengthMismatch)
        XCTAssertEqual(try XCTUnwrap(failure("(2|YWJj|)")).code, .lengthMismatch)
        // A declared length that the rest of the input cannot hold fails before decoding.
        XCTAssertEqual(try XCTUnwrap(failure("3\"ab\"")).code, .lengthPastEnd)
    }

    func testDisplayHintErrors() throws {
        XCTAssertEqual(try XCTUnwrap(failure("[4:text](1:a)")).code, .badHint, "a hint before a list")
        XCTAssertEqual(try XCTUnwrap(failure("(1:a[4:text])")).code, .badHint, "a hint before `)`")
        XCTAssertEqual(try XCTUnwrap(failure("[4:text]")).code, .badHint, "a hint at the end")
        XCTAssertEqual(try XCTUnwrap(failure("[1:a][1:b]1:c")).code, .badHint, "two hints")
        XCTAssertEqual(try XCTUnwrap(failure("[1:a 1:b")).code, .badHint, "an unclosed hint")
        XCTAssertEqual(try XCTUnwrap(failure("[4:text]{KDE6YSk=}")).code, .badHint, "a hint before a transport block")
        XCTAssertEqual(try XCTUnwrap(failure("[(a)]b")).code, .unexpectedCharacter, "a list inside a hint")
        XCTAssertEqual(try XCTUnwrap(failure("[")).code, .unexpectedEnd)
    }

    func testUnexpectedCharacters() throws {
        let error = try XCTUnwrap(failure("(a @b)"))
        XCTAssertEqual(error.code, .unexpectedCharacter)
        XCTAssertEqual(error.offset, 3)
        XCTAssertEqual(error.found, "`@`")
        XCTAssertEqual(try XCTUnwrap(failure([0x28, 0x00, 0x29])).found, "byte 0x00")
        XCTAssertEqual(try XCTUnwrap(failure("}")).code, .unexpectedCharacter)
    }

    func testParseOneRejectsSeveralExpressions() {
        XCTAssertThrowsError(try SExpr.parse("(a) (b)"))
        XCTAssertEqual(try? SExpr.parseAll(Array("(a) (b)".utf8)).count, 2)
    }

    func testLineAndColumnAcrossLines() throws {
        let error = try XCTUnwrap(failure("(a\n  b\n  #zz#)"))
        XCTAssertEqual(error.line, 3)
        XCTAssertEqual(error.column, 4)
        XCTAssertEqual(error.description, "3:4: bad hex digit `z` in the hex string that starts at offset 9 (offset 10)")
    }

    func testErrorsInsideTransportPointAtTheBlock() throws {
        // {(3:ab} : a length past the end inside the block.
        let error = try XCTUnwrap(failure("(x {KDM6YWI=})"))
        XCTAssertEqual(error.code, .lengthPastEnd)
        XCTAssertEqual(error.offset, 3)
        XCTAssertTrue(error.message.hasPrefix("in the transport block:"), error.message)
    }
}
