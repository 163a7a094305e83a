import Foundation
import XCTest
@testable import PolicyLanguage

/// The examples of Docs/language.md are valid policies (fragments of a vpxi body
/// are checked inside one).
final class DocumentationTests: XCTestCase {
    func testEveryExampleOfTheLanguageReferenceParses() throws {
        let url = Corpus.packageRoot.appendingPathComponent("Docs/language.md")
        let text = try String(contentsOf: url, encoding: .utf8)
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") {
                if let lines = current {
                    blocks.append(lines.joined(separator: "\n"))
                    current = nil
                } else {
                    current = []
                }
            } else {
                current?.append(line)
            }
        }
        XCTAssertGreaterThan(blocks.count, 10)
        for block in blocks {
            let alone = Corpus.parse(block).0
            if !alone.hasErrors { continue }
            let wrapped = "user alice key \"k\"\nvpxi example {\n  owner alice\n\(block)\n}\n"
            let inside = Corpus.parse(wrapped).0
            XCTAssertFalse(inside.hasErrors, "example does not parse:\n\(block)\n\(inside.diagnostics.map(\.message))")
        }
    }
}
