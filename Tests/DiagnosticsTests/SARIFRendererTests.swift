import Foundation
import XCTest
@testable import Diagnostics

final class SARIFRendererTests: XCTestCase {
    private let rules = [
        DiagnosticRule(code: DiagnosticCode("E9021"), name: "unknown-user", summary: "a user that is not declared",
                       defaultSeverity: .error, helpURI: "https://example.org/E9021.md"),
    ]

    private func render() -> String {
        let (sources, diagnostic) = RendererFixture.make()
        var warning = diagnostic
        warning.severity = .warning
        warning.code = DiagnosticCode("W0001")
        return SARIFRenderer(toolName: "spkic", toolVersion: "0.1.0", informationURI: "https://example.org/spkic",
                             rules: rules).render([diagnostic, warning], sources: sources)
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

    func testURIsArePercentEncoded() {
        XCTAssertEqual(SARIFRenderer.uri("dir/my file é.vp"), "dir/my%20file%20%C3%A9.vp")
    }

    /// Validates against the official schema with Python's `jsonschema`. Under
    /// `CI=true` a missing validator is a failure, not a skip.
    func testValidatesAgainstTheSARIFSchema() throws {
        let schema = SchemaValidation.sharedSchema("sarif-schema-2.1.0.json", from: #filePath)
        try SchemaValidation.validate(json: render(), schemaPath: schema)
    }
}
