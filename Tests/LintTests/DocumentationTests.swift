import Foundation
import Lint
import TestSupport
import XCTest

/// Every rule has its page, with its sections and the corpus examples as they are, and
/// the index lists every rule.
final class DocumentationTests: XCTestCase {
    private func read(_ path: String) throws -> String {
        try String(contentsOf: PackagePaths.root.appendingPathComponent(path), encoding: .utf8)
    }

    func testEveryRuleHasACurrentPage() throws {
        for descriptor in LintRegistry.descriptors {
            let page = try read(descriptor.documentationPath)
            for section in ["# \(descriptor.id)\n", "## Why it matters", "## Bad", "## Good", "## Configuration",
                            "| \(descriptor.category.rawValue) | \(descriptor.defaultLevel.rawValue) |"] {
                XCTAssertTrue(page.contains(section), "\(descriptor.documentationPath) lacks `\(section)`")
            }
            for kind in ["bad", "good"] {
                let example = try read("corpus/lint/\(descriptor.id)/\(kind).vp")
                XCTAssertTrue(page.contains("```\n" + example.trimmingCharacters(in: .newlines) + "\n```"),
                              "\(descriptor.documentationPath): the \(kind) example differs from the corpus; run scripts/gen-lint-docs")
            }
            XCTAssertTrue(page.contains("[\(descriptor.id)]"), "\(descriptor.documentationPath) shows no output")
        }
    }

    func testIndexListsEveryRule() throws {
        let index = try read("Docs/lint/README.md")
        for descriptor in LintRegistry.descriptors {
            XCTAssertTrue(index.contains("| [`\(descriptor.id)`](\(descriptor.id).md) | \(descriptor.category.rawValue) | \(descriptor.defaultLevel.rawValue) |"),
                          "Docs/lint/README.md does not list \(descriptor.id)")
        }
    }

    /// The configuration shown in the docs is accepted as it is.
    func testDocumentedConfigurationsParse() throws {
        for path in ["Docs/lint/README.md", "Docs/ci.md"] {
            let text = try read(path)
            let blocks = text.components(separatedBy: "```toml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
            XCTAssertFalse(blocks.isEmpty, path)
            for block in blocks {
                XCTAssertNoThrow(try LintConfiguration.parse(block, name: path), "\(path):\n\(block)")
            }
        }
    }
}
