import Diagnostics
import Lint
import XCTest

/// `# spkic:ignore RULE REASON`: on the finding's line, or alone on the line above; a
/// reason is required; unused and malformed suppressions are reported.
final class SuppressionTests: XCTestCase {
    private let header = LintHarness.header

    private func policy(_ body: String) -> String {
        header + """
            vpxi study {
              owner alice
              window 2026-12-01T08:00Z .. 2026-12-05T08:00Z
              certificates valid 24h renew every 8h
              node a
            \(body)
            }

            """
    }

    private func codes(_ body: String, configuration: LintConfiguration = LintConfiguration()) throws -> [String] {
        let (report, sources) = try LintHarness.lint(text: policy(body), configuration: configuration)
        XCTAssertFalse(report.hasCompilerErrors, "\(report.diagnostics.map(\.message))")
        return report.diagnostics.map { "\(sources[$0.range.file].location(of: $0.range.start).line):\($0.code)" }
    }

    func testUnsuppressedFindingIsReported() throws {
        XCTAssertEqual(try codes("  grant alice * on a"), ["10:wildcard-grant"])
    }

    func testSameLineSuppresses() throws {
        XCTAssertEqual(try codes("  grant alice * on a  # spkic:ignore wildcard-grant the owner administers the machine"), [])
    }

    func testLineAboveSuppresses() throws {
        XCTAssertEqual(try codes("  # spkic:ignore wildcard-grant the owner administers the machine\n  grant alice * on a"), [])
        // The suppressed finding is kept aside with its reason, for SARIF.
        let (report, _) = try LintHarness.lint(text: policy("  # spkic:ignore wildcard-grant the owner administers the machine\n  grant alice * on a"))
        XCTAssertEqual(report.suppressed.map(\.diagnostic.code.rawValue), ["wildcard-grant"])
        XCTAssertEqual(report.suppressed.map(\.justification), ["the owner administers the machine"])
    }

    func testTwoLinesAboveDoesNotSuppress() throws {
        let found = try codes("  # spkic:ignore wildcard-grant the owner administers the machine\n\n  grant alice * on a")
        XCTAssertEqual(found, ["10:unused-suppression", "12:wildcard-grant"])
    }

    func testTrailingCommentDoesNotReachTheNextLine() throws {
        let found = try codes("  node b  # spkic:ignore wildcard-grant misplaced\n  grant alice * on a")
        XCTAssertEqual(found, ["10:unused-suppression", "11:wildcard-grant"])
    }

    func testOtherRuleIsNotSuppressed() throws {
        let found = try codes("  grant alice * on a  # spkic:ignore subsumed-grant wrong rule")
        XCTAssertEqual(Set(found), ["10:wildcard-grant", "10:unused-suppression"])
    }

    func testSeveralRulesInOneComment() throws {
        let found = try codes("  grant alice * on a  # spkic:ignore wildcard-grant,open-delegation the owner administers the machine")
        XCTAssertEqual(found, [])
    }

    func testMissingReasonIsInvalidAndSuppressesNothing() throws {
        let (report, _) = try LintHarness.lint(text: policy("  grant alice * on a  # spkic:ignore wildcard-grant"))
        XCTAssertEqual(Set(report.diagnostics.map(\.code.rawValue)), ["wildcard-grant", "invalid-suppression"])
        XCTAssertTrue(report.diagnostics.contains { $0.message.contains("gives no reason") })
    }

    func testUnknownRuleGetsASuggestion() throws {
        let (report, _) = try LintHarness.lint(text: policy("  grant alice * on a  # spkic:ignore wildcard-grnt typo"))
        let invalid = try XCTUnwrap(report.diagnostics.first { $0.code.rawValue == "invalid-suppression" })
        XCTAssertEqual(invalid.help, "did you mean `wildcard-grant`?")
    }

    /// A suppression of a disabled rule still counts as used: turning a rule off in the
    /// configuration must not make every suppression of it noisy.
    func testSuppressionOfADisabledRuleIsNotUnused() throws {
        var configuration = LintConfiguration()
        try configuration.disable("wildcard-grant")
        XCTAssertEqual(try codes("  grant alice * on a  # spkic:ignore wildcard-grant the owner administers the machine", configuration: configuration), [])
    }

    func testUnusedSuppressionFixItDeletesTheComment() throws {
        let (report, _) = try LintHarness.lint(text: policy("  # spkic:ignore wildcard-grant stale\n  grant alice ssh on a"))
        let unused = try XCTUnwrap(report.diagnostics.first { $0.code.rawValue == "unused-suppression" })
        let edit = try XCTUnwrap(unused.fixIts.first?.edits.first)
        XCTAssertEqual(edit.replacement, "")
        XCTAssertEqual(Int(edit.range.end - edit.range.start), "  # spkic:ignore wildcard-grant stale\n".utf8.count)
    }

    func testPlainCommentsAreNotSuppressions() throws {
        XCTAssertEqual(try codes("  # spkic:ignored is not the marker\n  grant alice ssh on a  # spkic"), [])
    }
}
