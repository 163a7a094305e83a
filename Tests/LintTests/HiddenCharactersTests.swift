@testable import Lint
import XCTest

/// Where `hidden-characters` looks: comments and strings, with the lexer's rules for
/// escapes and `#` inside strings; every listed character, of two or three bytes.
final class HiddenCharactersTests: XCTestCase {
    private func places(_ text: String) -> [String] {
        HiddenCharacters.occurrences(in: Array(text.utf8)).map { "\(HiddenCharacters.codePoint($0.scalar)) \($0.place.rawValue)" }
    }

    func testCommentsAndStrings() {
        XCTAssertEqual(places("# a\u{202E}b\n"), ["U+202E comment"])
        XCTAssertEqual(places("image \"x\u{200B}y\"\n"), ["U+200B string"])
        XCTAssertEqual(places("image \"x # \u{2066}\"\n"), ["U+2066 string"], "`#` inside a string starts no comment")
        XCTAssertEqual(places("image \"a\\\" \u{2067}\" # \u{061C}\n"), ["U+2067 string", "U+061C comment"], "an escaped quote does not end the string")
        XCTAssertEqual(places("\u{FEFF}# fine\n# \u{FEFF}\n"), ["U+FEFF comment"], "a byte order mark at the start is not reported")
        XCTAssertEqual(places("node a \u{202E}\n"), [], "outside comments and strings the lexer reports it (E0001)")
        XCTAssertEqual(places("# \"\n\"\u{200D}\"\n"), ["U+200D string"], "a comment's quote opens no string; a line ends a comment")
        XCTAssertEqual(places("# שלום 日本 é 😀\n\"ü\"\n"), [], "other scripts are fine")
    }

    func testEveryListedCharacterIsFound() {
        for value in HiddenCharacters.names.keys.sorted() {
            let scalar = Unicode.Scalar(value)!
            XCTAssertEqual(places("# x\(Character(scalar))y\n\"\(Character(scalar))\"\n"),
                           ["\(HiddenCharacters.codePoint(scalar)) comment", "\(HiddenCharacters.codePoint(scalar)) string"])
        }
    }

    func testRangesCoverTheCharacterExactly() {
        let bytes = Array("# ab\u{202E}cd\n".utf8)
        let found = HiddenCharacters.occurrences(in: bytes)
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(Array(bytes[found[0].bytes]), Array("\u{202E}".utf8))
    }
}
