import Foundation
import XCTest

/// JSON-schema validation with Python's `jsonschema` (a real validator, written by
/// others), for SARIF and other JSON outputs. A missing schema, `python3` or
/// `jsonschema` skips the test, and fails it under `CI=true`.
public enum SchemaValidator {
    /// `../shared/schemas/<name>` beside the package.
    public static func sharedSchema(_ name: String) -> URL { PackagePaths.shared("schemas/\(name)") }

    /// The SARIF 2.1.0 schema.
    public static var sarif: URL { sharedSchema("sarif-schema-2.1.0.json") }

    /// Asserts that `json` validates against the schema at `schema`.
    public static func validate(_ json: String, against schema: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        guard FileManager.default.fileExists(atPath: schema.path) else {
            try unavailable("schema not found at \(schema.path)", file: file, line: line)
            return
        }
        let python = try ExternalTool.require("python3", package: "python3", file: file, line: line)
        let probe = try ExternalTool.run(python, ["-c", "import jsonschema"])
        guard probe.status == 0 else {
            try unavailable("python3's jsonschema is not installed (Debian package python3-jsonschema)", file: file, line: line)
            return
        }
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.validators.validator_for(schema)(schema).validate(json.load(sys.stdin))
            """
        let result = try ExternalTool.run(python, ["-c", script, schema.path], input: Array(json.utf8))
        XCTAssertEqual(result.status, 0, "does not validate against \(schema.lastPathComponent): \(result.stderrText)", file: file, line: line)
    }

    private static func unavailable(_ message: String, file: StaticString, line: UInt) throws {
        if ExternalTool.isCI {
            XCTFail(message, file: file, line: line)
            return
        }
        throw XCTSkip(message)
    }
}
