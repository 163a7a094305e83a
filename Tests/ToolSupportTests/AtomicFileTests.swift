import Foundation
import ToolSupport
import TestSupport
import XCTest

final class AtomicFileTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory.make("atomic")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testWritesAndReplacesWithMode() throws {
        let path = directory.appendingPathComponent("key").path
        try AtomicFile.write("first", to: path, mode: 0o600)
        try AtomicFile.write("second", to: path, mode: 0o600)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "second")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["key"])
    }

    func testFailureLeavesNothingBehind() throws {
        let path = directory.appendingPathComponent("missing/out").path
        XCTAssertThrowsError(try AtomicFile.write("x", to: path)) { error in
            XCTAssertEqual((error as? FileError)?.code, .cannotCreate)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])
    }

    func testInputReaderReadsFilesAndRejectsDirectories() throws {
        let path = directory.appendingPathComponent("in").path
        try AtomicFile.write([1, 2, 3], to: path)
        XCTAssertEqual(try InputReader.read(path), [1, 2, 3])
        XCTAssertThrowsError(try InputReader.read(directory.path)) { error in
            XCTAssertEqual((error as? FileError)?.code, .cannotRead)
        }
        XCTAssertThrowsError(try InputReader.read(path, limit: 2)) { error in
            XCTAssertEqual((error as? FileError)?.code, .tooLarge)
        }
        XCTAssertEqual(InputReader.displayName("-"), "<stdin>")
    }
}
