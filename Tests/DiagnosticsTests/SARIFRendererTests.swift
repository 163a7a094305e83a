import Foundation
import TestSupport
import XCTest
@testable import Diagnostics

final class SARIFRendererTests: XCTestCase {
    private let rules = [
        DiagnosticRule(code: DiagnosticCode("E9021"), name: "unknown-user", summary: "a user that is not declared",
                       defaultSeverity: .error, documentation: "Docs/diagnostics/E9021.md", tags: ["names"]),
    ]

    private func render(helpBaseURI: String? = nil) -> String {
        let (sources, diagnostic) = RendererFixture.make()
        var warning = diagnostic
        warning.severity = .warning
        warning.code = DiagnosticCode("W0001")
        return SARIFRenderer(toolName: "spkic", toolVersion: "0.1.0", rules: rules, helpBaseURI: helpBaseURI)
            .render([diagnostic, warning], sources: sources)
    }

    private func rule(_ text: String) throws -> [String: Any] {
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let run = try XCTUnwrap((document["runs"] as? [[String: Any]])?.first)
        let driver = try XCTUnwrap((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        return try XCTUnwrap((driver["rules"] as? [[String: Any]])?.first)
    }

    /// Without a base, no URI is invented: the page's repository path is in `help` and
    /// `properties`; with one, `helpUri` is the base and the path.
    func testHelpURIsOnlyFromAGivenBase() throws {
        let plain = try rule(render())
        XCTAssertNil(plain["helpUri"])
        XCTAssertEqual((plain["properties"] as? [String: Any])?["documentation"] as? String, "Docs/diagnostics/E9021.md")
        XCTAssertEqual((plain["properties"] as? [String: Any])?["tags"] as? [String], ["names"])
        XCTAssertTrue(((plain["help"] as? [String: Any])?["text"] as? String)?.contains("Docs/diagnostics/E9021.md") == true)
        XCTAssertFalse(render().contains("informationUri"))
        let based = render(helpBaseURI: "https://git.example.net/team/spkic/blob/abc123")
        XCTAssertEqual(try rule(based)["helpUri"] as? String, "https://git.example.net/team/spkic/blob/abc123/Docs/diagnostics/E9021.md")
        try SchemaValidator.validate(based, against: SchemaValidator.sarif)
    }

    func testResultsCarryRuleRegionRelatedLocationsAndFixes() throws {
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(render().utf8)) as? [String: Any])
        XCTAssertEqual(document["version"] as? String, "2.1.0")
        let run = try XCTUnwrap((document["runs"] as? [[String: Any]])?.first)
        let driver = try XCTUnwrap((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        let ruleIDs = (driver["rules"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        XCTAssertEqual(ruleIDs, ["E9021", "W0001"])
        let results = try XCTUnwrap(run["results"] as? [[String: Any]])
        XCTAssertEqual(results.map { $0["level"] as? String }, ["error", "warning"])
        XCTAssertEqual(results[1]["ruleIndex"] as? Int, 1)
        let location = try XCTUnwrap((results[0]["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        let region = try XCTUnwrap(location["region"] as? [String: Any])
        XCTAssertEqual(region["startLine"] as? Int, 3)
        XCTAssertEqual(region["startColumn"] as? Int, 9)
        XCTAssertNotNil(results[0]["relatedLocations"])
        XCTAssertNotNil(results[0]["fixes"])
    }

    /// A suppressed diagnostic is a result with an in-source suppression and its reason.
    func testSuppressedResultsCarryTheirJustification() throws {
        let (sources, diagnostic) = RendererFixture.make()
        var suppressed = diagnostic
        suppressed.code = DiagnosticCode("W0002")
        suppressed.severity = .warning
        let text = SARIFRenderer(toolName: "spkic", toolVersion: "0.1.0", rules: rules)
            .render([diagnostic], suppressed: [.init(suppressed, justification: "intended")], sources: sources)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let run = try XCTUnwrap((document["runs"] as? [[String: Any]])?.first)
        let results = try XCTUnwrap(run["results"] as? [[String: Any]])
        XCTAssertEqual(results.count, 2)
        XCTAssertNil(results[0]["suppressions"])
        let suppressions = try XCTUnwrap(results[1]["suppressions"] as? [[String: Any]])
        XCTAssertEqual(suppressions.first?["kind"] as? String, "inSource")
        XCTAssertEqual(suppressions.first?["justification"] as? String, "intended")
        XCTAssertEqual(results[1]["ruleId"] as? String, "W0002")
        try SchemaValidator.validate(text, against: SchemaValidator.sarif)
    }

    func testURIsArePercentEncoded() {
        XCTAssertEqual(SARIFRenderer.uri("dir/my file é.vp"), "dir/my%20file%20%C3%A9.vp")
    }

    /// Validates against the official schema with Python's `jsonschema`. Under
    /// `CI=true` a missing validator is a failure, not a skip.
    func testValidatesAgainstTheSARIFSchema() throws {
        try SchemaValidator.validate(render(), against: SchemaValidator.sarif)
    }
}
