import Diagnostics
import Foundation
import Lint
import PolicyCompiler
import PolicyLanguage
import TestSupport
import XCTest

/// Runs the linter on files and texts, as `spkic lint` does, for the tests.
enum LintHarness {
    /// The time of every corpus test: before the corpus windows (December 2026).
    static let time: Int64 = 1_793_491_200 // 2026-11-01T00:00:00Z

    static func read(_ path: String) -> Result<[UInt8], PolicyLoader.ReadFailure> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(PolicyLoader.ReadFailure(reason: "No such file or directory"))
        }
        return .success([UInt8](data))
    }

    static let keyLoader = KeyLoader(read: { read($0) })

    /// The declarations the tests' policies start with (4 lines): a registrar, a
    /// community, four hosts registered until mid-2027, and alice.
    static let header = """
        registrar lyon key "../../policies/ok/keys/lyon.pub"
        community inria
        host h-[1..4] { locator 192.0.2.{index} cpus 4 memory 8 GiB registered-with lyon until 2027-06-30T00:00Z trusted-by inria }
        user alice key "../../policies/ok/keys/alice.pub" member-of inria clearance high

        """

    /// Lints the policy files at `paths`.
    static func lint(_ paths: [String], configuration: LintConfiguration = LintConfiguration(), keys: [String] = [],
                     time: Int64 = time) -> (Linter.Report, SourceManager) {
        let loaded = PolicyLoader(read: read).load(paths)
        let report = Linter(configuration: configuration).lint(loaded, roots: paths, keys: keyLoader, keyDirectories: keys, time: time)
        return (report, loaded.sources)
    }

    /// Lints `text`, written to a temporary file beside the corpus keys
    /// (`corpus/lint/`), so that `../../policies/ok/keys/...` paths resolve.
    static func lint(text: String, configuration: LintConfiguration = LintConfiguration(), time: Int64 = time,
                     beside: URL? = nil) throws -> (Linter.Report, SourceManager) {
        let file: URL
        if let beside {
            // In the folder of `beside`, so that its relative key paths resolve.
            file = beside.deletingLastPathComponent().appendingPathComponent(".scratch-\(UUID().uuidString).vp")
        } else {
            let directory = PackagePaths.corpus("lint/.scratch-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            file = directory.appendingPathComponent("policy.vp")
        }
        defer { try? FileManager.default.removeItem(at: beside == nil ? file.deletingLastPathComponent() : file) }
        try Data(text.utf8).write(to: file)
        return lint([file.path], configuration: configuration, time: time)
    }

    /// A key store in a temporary directory, from a `.store` file: lines `NAME SOURCE MODE`
    /// (SOURCE relative to the store file's folder, MODE octal).
    static func makeStore(_ storeFile: URL) throws -> URL {
        let directory = try TemporaryDirectory.make("spkic-lint-store")
        let text = try String(contentsOf: storeFile, encoding: .utf8)
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ").map(String.init)
            guard parts.count == 3, let mode = Int(parts[2], radix: 8) else { throw StoreError(line: String(line)) }
            let source = storeFile.deletingLastPathComponent().appendingPathComponent(parts[1])
            let target = directory.appendingPathComponent(parts[0])
            try FileManager.default.copyItem(at: source, to: target)
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target.path)
        }
        return directory
    }

    struct StoreError: Error { let line: String }

    /// The `severity[rule]` markers of a file for one rule: (line, marker) pairs.
    static func markers(in text: String, rule: String) -> [String] {
        var found: [String] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for severity in ["error", "warning", "info"] where line.contains("# \(severity)[\(rule)]") {
                found.append("\(index + 1): \(severity)[\(rule)]")
            }
        }
        return found.sorted()
    }

    /// The diagnostics of one rule as `line: severity[rule]`.
    static func describe(_ diagnostics: [Diagnostic], rule: String, sources: SourceManager) -> [String] {
        diagnostics.filter { $0.code.rawValue == rule }.map { diagnostic in
            "\(sources[diagnostic.range.file].location(of: diagnostic.range.start).line): \(diagnostic.severity.rawValue)[\(rule)]"
        }.sorted()
    }
}
