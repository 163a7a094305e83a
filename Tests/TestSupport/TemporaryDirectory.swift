import Foundation
import XCTest

/// A fresh folder under the system's temporary directory, for one test.
public enum TemporaryDirectory {
    /// Creates `TMPDIR/PREFIX-UUID` and returns it; the caller removes it.
    public static func make(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Creates `TMPDIR/PREFIX-UUID`, removed when `test` ends.
    public static func make(_ prefix: String, removedAfter test: XCTestCase) throws -> URL {
        let url = try make(prefix)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
