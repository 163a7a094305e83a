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

    /// The CI recipe is usable as written: its YAML parses (PyYAML) into a workflow that
    /// uploads SARIF, and the pre-commit hook is valid `sh` (`sh -n`).
    func testCIRecipeParses() throws {
        let text = try read("Docs/ci.md")
        let yamlBlocks = text.components(separatedBy: "```yaml\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
        XCTAssertEqual(yamlBlocks.count, 2)
        let python = try ExternalTool.require("python3", package: "python3")
        let probe = try ExternalTool.run(python, ["-c", "import yaml"])
        if probe.status != 0 {
            if ExternalTool.isCI { return XCTFail("python3-yaml is required under CI=true") }
            throw XCTSkip("python3's yaml is not installed (Debian package python3-yaml)")
        }
        let script = """
            import sys, yaml
            doc = yaml.safe_load(sys.stdin)
            if 'jobs' in doc:
                steps = doc['jobs']['lint']['steps']
                assert any('upload-sarif' in str(s.get('uses', '')) for s in steps), 'no SARIF upload'
                assert any('--format sarif' in str(s.get('run', '')) for s in steps), 'no SARIF lint'
            else:
                assert doc['repos'][0]['hooks'][1]['entry'].startswith('spkic lint')
            """
        for block in yamlBlocks {
            let result = try ExternalTool.run(python, ["-c", script], input: Array(block.utf8))
            XCTAssertEqual(result.status, 0, "\(result.stderrText)\n\(block)")
        }
        let hook = try XCTUnwrap(text.components(separatedBy: "```sh\n").dropFirst().first?.components(separatedBy: "```").first)
        XCTAssertTrue(hook.contains("spkic lint --strict"))
        let sh = try ExternalTool.require("sh", package: "dash")
        let checked = try ExternalTool.run(sh, ["-n"], input: Array(hook.utf8))
        XCTAssertEqual(checked.status, 0, checked.stderrText)
    }
}
