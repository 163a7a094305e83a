import Foundation
import XCTest

/// JSON-schema validation through Python's `jsonschema`, for the SARIF tests.
enum SchemaValidation {
    /// `../shared/schemas/<name>` beside the package root.
    static func sharedSchema(_ name: String, from testFile: String) -> String {
        let packageRoot = URL(fileURLWithPath: testFile).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/schemas/\(name)").path
    }

    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    static func validate(json: String, schemaPath: String) throws {
        guard FileManager.default.fileExists(atPath: schemaPath) else {
            if isCI { XCTFail("schema not found at \(schemaPath)"); return }
            throw XCTSkip("schema not found at \(schemaPath)")
        }
        let probe = run(["python3", "-c", "import jsonschema"], input: "")
        guard probe.status == 0 else {
            if isCI { XCTFail("python3 with jsonschema is required under CI=true"); return }
            throw XCTSkip("python3 with jsonschema is not installed")
        }
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            document = json.load(sys.stdin)
            jsonschema.validate(document, schema)
            print("valid")
            """
        let result = run(["python3", "-c", script, schemaPath], input: json)
        XCTAssertEqual(result.status, 0, "SARIF does not validate: \(result.output)")
    }

    static func run(_ arguments: [String], input: String) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        do { try process.run() } catch { return (127, "\(error)") }
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try? stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
