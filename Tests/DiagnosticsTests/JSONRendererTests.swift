import Foundation
import XCTest
@testable import Diagnostics

final class JSONRendererTests: XCTestCase {
    func testOneObjectPerLineWithPositionsNotesAndFixIts() throws {
        let (sources, diagnostic) = RendererFixture.make()
        let output = JSONRenderer().render([diagnostic, diagnostic], sources: sources)
        let lines = output.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(object["code"] as? String, "E9021")
        XCTAssertEqual(object["severity"] as? String, "error")
        XCTAssertEqual(object["file"] as? String, "study.vp")
        XCTAssertEqual(object["line"] as? Int, 3)
        XCTAssertEqual(object["column"] as? Int, 9)
        XCTAssertEqual(object["endColumn"] as? Int, 14)
        XCTAssertEqual(object["help"] as? String, "did you mean `alice`?")
        XCTAssertEqual(object["documentation"] as? String, "Docs/diagnostics/E9021.md")
        let notes = try XCTUnwrap(object["notes"] as? [[String: Any]])
        XCTAssertEqual(notes.first?["line"] as? Int, 1)
        let fixIts = try XCTUnwrap(object["fixIts"] as? [[String: Any]])
        let edits = try XCTUnwrap(fixIts.first?["edits"] as? [[String: Any]])
        XCTAssertEqual(edits.first?["replacement"] as? String, "alice")
    }

    func testEscapesControlCharacters() {
        XCTAssertEqual(JSONValue.string("a\"b\\c\n\u{1}").serialized(), #""a\"b\\c\n\u0001""#)
    }
}
