import Foundation

/// A fresh folder under the system's temporary directory, for one test.
public enum TemporaryDirectory {
    /// Creates `TMPDIR/PREFIX-UUID` and returns it; the caller removes it.
    public static func make(_ prefix: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
