import Foundation
import TestSupport
import XCTest

/// Runs the built `spki` executable.
enum SPKITool {
    static var path: String { PackagePaths.executable("spki") }

    static func run(_ arguments: [String], input: [UInt8] = []) throws -> ExternalTool.Result {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: path), "spki is not built at \(path)")
        return try ExternalTool.run(path, arguments, input: input)
    }

    static func run(_ arguments: [String], input: String) throws -> ExternalTool.Result {
        try run(arguments, input: Array(input.utf8))
    }

    /// A fresh temporary directory, removed when the test ends.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        try TemporaryDirectory.make("spki-tests", removedAfter: test)
    }
}
