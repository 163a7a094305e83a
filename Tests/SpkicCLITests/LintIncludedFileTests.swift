import Foundation
import TestSupport
import XCTest

/// `spkic lint` over policies and the files they include: a file another policy of the
/// run includes is linted as part of its includers.
final class LintIncludedFileTests: XCTestCase {
    /// Every policy of the corpus but the lint cases and the error corpus, recursively:
    /// the shipped examples and their shared pieces (corpus/policies/ok/shared/).
    private func corpusPolicies() throws -> [String] {
        let root = PackagePaths.corpus("").standardizedFileURL.path
        let enumerator = try XCTUnwrap(FileManager.default.enumerator(atPath: root))
        return enumerator.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".vp") && !$0.hasPrefix("lint/") && !$0.hasPrefix("policies/err/") }
            .sorted().map { "corpus/\($0)" }
    }

    /// The recursive lint of the corpus is clean under --strict, on any day, with no --at
    /// and configuration discovery on: shared/registrars.vp is linted as part of
    /// with-include.vp, which uses its registrar and community.
    func testRecursiveCorpusLintIsClean() throws {
        let policies = try corpusPolicies()
        XCTAssertTrue(policies.contains("corpus/policies/ok/shared/registrars.vp"), "\(policies)")
        XCTAssertTrue(policies.contains("corpus/policies/ok/with-include.vp"), "\(policies)")
        let output = try SpkicRunner.run(["lint", "--strict"] + policies)
        XCTAssertEqual(output.status, 0, output.stderr)
        let lines = output.stderr.split(separator: "\n")
        XCTAssertEqual(lines.filter { !$0.hasPrefix("note: corpus/policies/ok/spkic-lint.toml sets the time of linting") }, [], output.stderr)
        XCTAssertLessThanOrEqual(lines.count, 1, "the note is printed once: \(output.stderr)")
        // In SARIF, the run has the examples' suppressed findings only, none in the shared piece.
        let sarif = try SpkicRunner.run(["lint", "--strict", "--format", "sarif"] + policies)
        XCTAssertEqual(sarif.status, 0, sarif.stderr)
        try SchemaValidator.validate(sarif.stdout, against: SchemaValidator.sarif)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        let results = try XCTUnwrap((document["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])
        XCTAssertFalse(results.isEmpty)
        for result in results { XCTAssertNotNil(result["suppressions"], "\(result)") }
        XCTAssertFalse(sarif.stdout.contains("shared/registrars.vp\""), sarif.stdout)
        // Alone, the shared piece is a policy of its own, whose declarations nothing uses.
        let alone = try SpkicRunner.run(["lint", "--strict", "corpus/policies/ok/shared/registrars.vp"])
        XCTAssertEqual(alone.status, 1, alone.stderr)
        XCTAssertTrue(alone.stderr.contains("warning[unused-declaration]: registrar `lyon` is declared but never used"), alone.stderr)
    }

    /// A scratch folder that is a repository of its own (configuration discovery stops there).
    private func scratchRepository() throws -> URL {
        let directory = try SpkicRunner.temporaryDirectory()
        try Data("gitdir: /nonexistent\n".utf8).write(to: directory.appendingPathComponent(".git"))
        return directory
    }

    /// A file of corpus/lint/unused-declaration/included/ at `path` under `directory`, its
    /// keys pointing into the corpus and its include replaced by `include`.
    private func copyCase(_ name: String, to path: String, in directory: URL, include: String? = nil) throws {
        let keys = PackagePaths.corpus("policies/ok/keys").path + "/"
        var text = try String(contentsOf: PackagePaths.corpus("lint/unused-declaration/included/\(name)"), encoding: .utf8)
            .replacingOccurrences(of: "../../../policies/ok/keys/", with: keys)
        if let include { text = text.replacingOccurrences(of: "include \"shared.vp\"", with: "include \"\(include)\"") }
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// An includer that its discovered configuration ignores is not linted, so it does not
    /// count: the shared piece, under another configuration, is linted alone.
    func testAnIgnoredIncluderDoesNotCount() throws {
        let directory = try scratchRepository()
        defer { try? FileManager.default.removeItem(at: directory) }
        try copyCase("shared.vp", to: "shared.vp", in: directory)
        try copyCase("inria.vp", to: "generated/inria.vp", in: directory, include: "../shared.vp")
        try Data("ignore = [\"inria.vp\"]\n".utf8).write(to: directory.appendingPathComponent("generated/spkic-lint.toml"))
        let at = ["--at", "2026-11-01T00:00Z"]
        let output = try SpkicRunner.run(["lint", "shared.vp", "generated/inria.vp", "--format", "json"] + at, in: directory)
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(output.stdout.split(separator: "\n").filter { $0.contains("\"code\":\"unused-declaration\"") }.count, 4, output.stdout)
        XCTAssertFalse(output.stdout.contains("generated/inria.vp"), output.stdout)
        // Not ignored, it counts: only what it does not use is left.
        try Data("".utf8).write(to: directory.appendingPathComponent("generated/spkic-lint.toml"))
        let counted = try SpkicRunner.run(["lint", "shared.vp", "generated/inria.vp", "--format", "json"] + at, in: directory)
        XCTAssertEqual(counted.stdout.split(separator: "\n").filter { $0.contains("\"code\":\"unused-declaration\"") }.count, 2, counted.stdout)
    }

    /// Includers under different discovered configurations: a shared declaration is used
    /// when either includer uses it; what neither uses is reported once, at the more
    /// severe of their levels.
    func testIncludersUnderDifferentConfigurations() throws {
        let directory = try scratchRepository()
        defer { try? FileManager.default.removeItem(at: directory) }
        func copy(_ name: String, to path: String, include: String? = nil) throws {
            try copyCase(name, to: path, in: directory, include: include)
        }
        try Data("[rules]\nunused-declaration = \"error\"\n".utf8).write(to: directory.appendingPathComponent("spkic-lint.toml"))
        try copy("shared.vp", to: "shared.vp")
        try copy("cnrs.vp", to: "cnrs.vp")
        try copy("inria.vp", to: "team/inria.vp", include: "../shared.vp")
        try Data("# the team's own levels\n".utf8).write(to: directory.appendingPathComponent("team/spkic-lint.toml"))
        let at = ["--at", "2026-11-01T00:00Z"]
        let output = try SpkicRunner.run(["lint", "shared.vp", "team/inria.vp", "cnrs.vp", "--format", "github"] + at, in: directory)
        XCTAssertEqual(output.status, 1, output.stderr)
        // Once, at the more severe of the two configurations' levels.
        XCTAssertTrue(output.stdout.hasPrefix("::error file=shared.vp,line=6,col=11,"), output.stdout)
        XCTAssertTrue(output.stdout.contains("title=unused-declaration::community `spare`"), output.stdout)
        XCTAssertEqual(output.stdout.split(separator: "\n").count, 1, output.stdout)
        // Without cnrs.vp, cnrs is used by no includer of the run.
        let one = try SpkicRunner.run(["lint", "shared.vp", "team/inria.vp"] + at, in: directory)
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stderr.contains("warning[unused-declaration]: community `cnrs`"), one.stderr)
        XCTAssertFalse(one.stderr.contains("`lyon`"), one.stderr)
    }
}
