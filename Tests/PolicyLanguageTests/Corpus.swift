import Diagnostics
import Foundation
import PolicyLanguage

/// Access to `corpus/policies/` and `Docs/` from the tests.
enum Corpus {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func directory(_ name: String) -> URL {
        packageRoot.appendingPathComponent("corpus/policies/\(name)")
    }

    /// The `.vp` files of `corpus/policies/<name>/`, sorted.
    static func files(_ name: String) -> [URL] {
        let urls = (try? FileManager.default.contentsOfDirectory(at: directory(name), includingPropertiesForKeys: nil)) ?? []
        return urls.filter { $0.pathExtension == "vp" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    static func read(_ path: String) -> Result<[UInt8], PolicyLoader.ReadFailure> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(PolicyLoader.ReadFailure(reason: "No such file or directory"))
        }
        return .success([UInt8](data))
    }

    /// Parses `text` as a file named `name`.
    static func parse(_ text: String, name: String = "test.vp", errorLimit: Int = 20) -> (PolicyParser.Result, SourceManager) {
        var sources = SourceManager()
        let file = sources.add(name: name, text: text)
        return (PolicyParser.parse(file, options: .init(errorLimit: errorLimit)), sources)
    }

    /// The codes of the diagnostics of `text`.
    static func codes(_ text: String) -> [String] {
        parse(text).0.diagnostics.map(\.code.rawValue)
    }

    /// The `error[E0000]` markers of a file: (line, code) pairs, sorted.
    static func expectedMarkers(in bytes: [UInt8]) -> [Marker] {
        let text = String(decoding: bytes, as: UTF8.self)
        var markers: [Marker] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = Substring(line)
            while let found = rest.range(of: "error[") {
                let after = rest[found.upperBound...]
                if let close = after.firstIndex(of: "]") {
                    markers.append(Marker(line: index + 1, code: String(after[..<close])))
                    rest = after[close...]
                } else {
                    break
                }
            }
        }
        return markers.sorted()
    }

    struct Marker: Comparable, CustomStringConvertible {
        let line: Int
        let code: String

        static func < (lhs: Marker, rhs: Marker) -> Bool { (lhs.line, lhs.code) < (rhs.line, rhs.code) }

        var description: String { "\(line): \(code)" }
    }
}
