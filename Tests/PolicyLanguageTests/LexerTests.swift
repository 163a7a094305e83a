import Diagnostics
import XCTest
@testable import PolicyLanguage

final class LexerTests: XCTestCase {
    private func lex(_ text: String) -> (tokens: [(TokenKind, String, Keyword)], comments: [String], codes: [String]) {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            var lexer = Lexer(bytes: buffer, file: FileID(rawValue: 0))
            var tokens: [(TokenKind, String, Keyword)] = []
            while true {
                let token = lexer.next()
                if token.kind == .endOfFile { break }
                tokens.append((token.kind, String(decoding: bytes[Int(token.start)..<Int(token.end)], as: UTF8.self), token.keyword))
            }
            let comments = lexer.comments.map { String(decoding: bytes[Int($0.start)..<Int($0.end)], as: UTF8.self) }
            return (tokens, comments, lexer.pending.map(\.code.rawValue))
        }
    }

    func testNamesWithDashesAndRanges() {
        let result = lex("host capricorne-[01..35] registered-with a->b")
        XCTAssertEqual(result.tokens.map(\.1), ["host", "capricorne-", "[", "01", "..", "35", "]", "registered-with", "a", "->", "b"])
        XCTAssertEqual(result.tokens[0].2, .host)
        XCTAssertEqual(result.tokens[7].2, .registeredWith)
        XCTAssertEqual(result.tokens[1].2, Keyword.none)
    }

    func testNumbersUnitsAndDates() {
        let result = lex("36h 0.5 GiB 2026-12-01T08:00Z..2026-12-21T20:00:00+01:00")
        XCTAssertEqual(result.tokens.map(\.0), [.number, .identifier, .number, .identifier, .dateTime, .dotDot, .dateTime])
        XCTAssertEqual(result.tokens[4].1, "2026-12-01T08:00Z")
    }

    func testOperatorsAndPunctuation() {
        let kinds = lex("{ } [ ] ( ) , .. <-> -> >= <= / *").tokens.map(\.0)
        XCTAssertEqual(kinds, [.leftBrace, .rightBrace, .leftBracket, .rightBracket, .leftParen, .rightParen, .comma,
                               .dotDot, .biArrow, .arrow, .greaterEqual, .lessEqual, .slash, .star])
    }

    func testCommentsAreKeptOnTheSide() {
        let result = lex("community a # one\n# two\r\ncommunity b")
        XCTAssertEqual(result.tokens.count, 4)
        XCTAssertEqual(result.comments, ["# one", "# two"])
        XCTAssertEqual(lex("# three \t\r\r").comments, ["# three"])
    }

    func testStringsAndEscapes() {
        XCTAssertEqual(lex(#""a \"b\" \\ \n \u{E9}""#).codes, [])
        XCTAssertEqual(lex(#""bad \q""#).codes, ["E0003"])
        XCTAssertEqual(lex("\"open\ncommunity x").codes, ["E0002"])
        let value = Array(#""a\"b\u{E9}\n""#.utf8).withUnsafeBufferPointer {
            StringEscapes.decode($0, start: 0, end: $0.count)
        }
        XCTAssertEqual(value, "a\"bé\n")
    }

    func testUnexpectedCharactersAreReportedOnceAndSkipped() {
        let result = lex("community ;;; x")
        XCTAssertEqual(result.codes, ["E0001"])
        XCTAssertEqual(result.tokens.map(\.1), ["community", "x"])
    }

    func testInvalidUTF8() {
        var bytes = Array("# caf".utf8)
        bytes.append(0xE9)
        bytes += Array("\ncommunity \u{E9}".utf8)
        let codes = bytes.withUnsafeBufferPointer { buffer -> [String] in
            var lexer = Lexer(bytes: buffer, file: FileID(rawValue: 0))
            while lexer.next().kind != .endOfFile {}
            return lexer.pending.map(\.code.rawValue)
        }
        XCTAssertEqual(codes, ["E0004", "E0001"])
    }

    func testARunOfInvalidBytesIsOneError() {
        // Latin-1 text, or a binary file: one error per run, not one per byte.
        var bytes = Array("# ".utf8) + [0xC0, 0xFF, 0xFE]
        bytes += Array(" ok ".utf8) + [0xE9] + Array("\ncommunity x # ".utf8) + [UInt8](repeating: 0xFF, count: 12) + Array("\n".utf8)
        let found = bytes.withUnsafeBufferPointer { buffer -> [(String, String, Int)] in
            var lexer = Lexer(bytes: buffer, file: FileID(rawValue: 0))
            while lexer.next().kind != .endOfFile {}
            return lexer.pending.map { ($0.code.rawValue, $0.message, Int($0.range.end - $0.range.start)) }
        }
        XCTAssertEqual(found.map(\.0), ["E0004", "E0004", "E0004"])
        XCTAssertEqual(found.map(\.1), ["3 invalid UTF-8 bytes `\\xC0\\xFF\\xFE`", "invalid UTF-8 byte `\\xE9`",
                                        "12 invalid UTF-8 bytes `\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF...`"])
        XCTAssertEqual(found.map(\.2), [3, 1, 12], "each range covers its run")
    }

    func testLineStartFlag() {
        let bytes = Array("a b\n  c".utf8)
        let flags = bytes.withUnsafeBufferPointer { buffer -> [Bool] in
            var lexer = Lexer(bytes: buffer, file: FileID(rawValue: 0))
            return (0..<3).map { _ in lexer.next().isAtLineStart }
        }
        XCTAssertEqual(flags, [true, false, true])
    }

    func testLocatorsAreScannedRaw() {
        let bytes = Array("locator 2001:db8::{index + 1}, 192.0.2.1 }".utf8)
        let words = bytes.withUnsafeBufferPointer { buffer -> [String] in
            var lexer = Lexer(bytes: buffer, file: FileID(rawValue: 0))
            _ = lexer.next()
            let first = lexer.nextLocator(acrossLines: false)
            _ = lexer.next()
            let second = lexer.nextLocator(acrossLines: true)
            return [first, second].map { String(decoding: bytes[Int($0.start)..<Int($0.end)], as: UTF8.self) }
        }
        XCTAssertEqual(words, ["2001:db8::{index + 1}", "192.0.2.1"])
    }
}
