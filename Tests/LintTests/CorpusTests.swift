import Diagnostics
import Foundation
import Lint
import TestSupport
import XCTest

/// `corpus/lint/<rule>/bad.vp` triggers the rule exactly where its `# severity[rule]`
/// markers say; `good.vp` does not trigger it. A `bad.store`/`good.store` beside them is a
/// key store to lint with (`--keys`).
final class CorpusTests: XCTestCase {
    private var folders: [URL] {
        get throws {
            try FileManager.default.contentsOfDirectory(at: PackagePaths.corpus("lint"), includingPropertiesForKeys: nil)
                .filter { $0.hasDirectoryPath && !$0.lastPathComponent.hasPrefix(".") }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
    }

    func testEveryRuleHasABadAndAGoodCase() throws {
        let names = try folders.map(\.lastPathComponent)
        XCTAssertEqual(names, LintRegistry.descriptors.map(\.id).sorted())
    }

    func testEachCaseTriggersExactlyItsMarkers() throws {
        for folder in try folders {
            let rule = folder.lastPathComponent
            for kind in ["bad", "good"] {
                let file = folder.appendingPathComponent("\(kind).vp")
                let text = try String(contentsOf: file, encoding: .utf8)
                let store = folder.appendingPathComponent("\(kind).store")
                var keys: [String] = []
                if FileManager.default.fileExists(atPath: store.path) { keys = [try LintHarness.makeStore(store).path] }
                defer { for key in keys { try? FileManager.default.removeItem(atPath: key) } }
                let (report, sources) = LintHarness.lint([file.path], keys: keys)
                XCTAssertFalse(report.hasCompilerErrors, "\(rule)/\(kind).vp: \(report.diagnostics.filter { $0.severity == .error }.map(\.message))")
                XCTAssertEqual(report.keyStoreFailures, [], "\(rule)/\(kind)")
                let expected = LintHarness.markers(in: text, rule: rule)
                if kind == "bad" { XCTAssertFalse(expected.isEmpty, "\(rule)/bad.vp has no marker") } else { XCTAssertEqual(expected, []) }
                XCTAssertEqual(LintHarness.describe(report.diagnostics, rule: rule, sources: sources), expected, "\(rule)/\(kind).vp")
            }
        }
    }

    /// Applying every fix-it of a bad case removes that rule's findings.
    func testFixItsRemoveTheirFindings() throws {
        for folder in try folders {
            let rule = folder.lastPathComponent
            let file = folder.appendingPathComponent("bad.vp")
            let (report, sources) = LintHarness.lint([file.path])
            let fixes = report.diagnostics.filter { $0.code.rawValue == rule }.compactMap(\.fixIts.first)
            guard !fixes.isEmpty else { continue }
            var bytes = sources.files[0].bytes
            let edits = fixes.flatMap(\.edits).sorted { $0.range.start > $1.range.start }
            for edit in edits { bytes.replaceSubrange(Int(edit.range.start)..<Int(edit.range.end), with: Array(edit.replacement.utf8)) }
            let (fixed, fixedSources) = try LintHarness.lint(text: String(decoding: bytes, as: UTF8.self))
            XCTAssertFalse(fixed.hasCompilerErrors, "\(rule): the fixed file does not compile: \(fixed.diagnostics.map(\.message))")
            XCTAssertEqual(LintHarness.describe(fixed.diagnostics, rule: rule, sources: fixedSources), [], "\(rule): fix-its leave findings")
        }
    }
}
