import Foundation
import TestSupport
import XCTest

final class LintCommandTests: XCTestCase {
    private let at = ["--at", "2026-11-01T00:00Z"]
    private let wildcard = "corpus/lint/wildcard-grant/bad.vp"
    private let expected = "corpus/lint/contradicted-expectation/bad.vp"

    /// A scratch folder that is a repository of its own (a `.git` marker, as a worktree
    /// has): configuration discovery stops there, so that no spkic-lint.toml above it (a
    /// stray /tmp/spkic-lint.toml) applies to its files or configurations.
    private func scratchRepository() throws -> URL {
        let directory = try SpkicRunner.temporaryDirectory()
        try Data("gitdir: /nonexistent\n".utf8).write(to: directory.appendingPathComponent(".git"))
        return directory
    }

    /// The shipped examples lint clean: their intended findings are suppressed with reasons.
    func testShippedExamplesLintClean() throws {
        let examples = try PackagePaths.corpusFiles("policies/ok", extension: "vp").map { "corpus/policies/ok/\($0.lastPathComponent)" }
        let output = try SpkicRunner.run(["lint", "--strict"] + examples + at)
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(output.stderr, "")
    }

    /// In SARIF, the examples' suppressed findings are results marked suppressed in the
    /// source, with the reason of their `# spkic:ignore`.
    func testSARIFRecordsSuppressions() throws {
        let output = try SpkicRunner.run(["lint", "corpus/policies/ok/secondary-user.vp", "--format", "sarif"] + at)
        XCTAssertEqual(output.status, 0, output.stderr)
        try SchemaValidator.validate(output.stdout, against: SchemaValidator.sarif)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let results = try XCTUnwrap((document["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]])
        XCTAssertEqual(Set(results.compactMap { $0["ruleId"] as? String }), ["unbounded-validity", "open-delegation", "wildcard-grant"])
        for result in results {
            let suppression = try XCTUnwrap((result["suppressions"] as? [[String: Any]])?.first)
            XCTAssertEqual(suppression["kind"] as? String, "inSource")
            XCTAssertFalse((suppression["justification"] as? String ?? "").isEmpty)
        }
    }

    func testWarningsExitZeroAndOneUnderStrict() throws {
        let output = try SpkicRunner.run(["lint", wildcard] + at)
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertTrue(output.stderr.contains("warning[wildcard-grant]: user `alice` is granted `*`"), output.stderr)
        XCTAssertTrue(output.stderr.contains(" --> \(wildcard):12:15"), output.stderr)
        XCTAssertTrue(output.stderr.hasSuffix("0 errors, 1 warning\n"), output.stderr)
        XCTAssertEqual(try SpkicRunner.run(["lint", "--strict", wildcard] + at).status, 1)
    }

    func testErrorsExitOne() throws {
        let output = try SpkicRunner.run(["lint", expected] + at)
        XCTAssertEqual(output.status, 1)
        XCTAssertTrue(output.stderr.contains("error[contradicted-expectation]"), output.stderr)
        // A placement failure is an answer, not bad input: the other rules still run.
        let placement = try SpkicRunner.run(["lint", "corpus/policies/err/E0120-no-eligible-host.vp"] + at)
        XCTAssertEqual(placement.status, 1)
        XCTAssertTrue(placement.stderr.contains("error[E0120]"), placement.stderr)
        XCTAssertTrue(placement.stderr.contains("warning[unbounded-validity]"), placement.stderr)
    }

    func testStandardInput() throws {
        let text = try String(contentsOf: PackagePaths.corpus("lint/renewal-margin/bad.vp"), encoding: .utf8)
            .replacingOccurrences(of: "../../policies/ok/keys/", with: "corpus/policies/ok/keys/")
        let output = try SpkicRunner.run(["lint", "-", "--format", "json"] + at, stdin: text)
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertTrue(output.stdout.contains("\"file\":\"<stdin>\""), output.stdout)
        XCTAssertTrue(output.stdout.contains("\"code\":\"renewal-margin\""), output.stdout)
    }

    func testDisableEnableAndConfig() throws {
        XCTAssertEqual(try SpkicRunner.run(["lint", expected, "--disable", "contradicted-expectation"] + at).status, 0)
        XCTAssertEqual(try SpkicRunner.run(["lint", expected, "--disable", "correctness"] + at).status, 0)
        let directory = try scratchRepository()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("lint.toml")
        try Data("[rules]\nwildcard-grant = \"error\"\n".utf8).write(to: config)
        let raised = try SpkicRunner.run(["lint", wildcard, "--config", config.path] + at)
        XCTAssertEqual(raised.status, 1)
        XCTAssertTrue(raised.stderr.contains("error[wildcard-grant]"), raised.stderr)
        XCTAssertEqual(try SpkicRunner.run(["lint", wildcard, "--config", config.path, "--disable", "wildcard-grant"] + at).status, 0)
    }

    func testBadInputExitsTwo() throws {
        let directory = try scratchRepository()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("lint.toml")
        try Data("[rules]\nwildcard-grnt = \"off\"\n".utf8).write(to: config)
        let badConfig = try SpkicRunner.run(["lint", wildcard, "--config", config.path])
        XCTAssertEqual(badConfig.status, 2)
        XCTAssertTrue(badConfig.stderr.contains("unknown rule `wildcard-grnt`"), badConfig.stderr)
        XCTAssertTrue(badConfig.stderr.contains("did you mean `wildcard-grant`?"), badConfig.stderr)
        XCTAssertEqual(try SpkicRunner.run(["lint", wildcard, "--config", "no/such.toml"]).status, 2)
        XCTAssertEqual(try SpkicRunner.run(["lint", "no/such.vp"]).status, 2)
        XCTAssertEqual(try SpkicRunner.run(["lint", "corpus/policies/err/E0014-unknown-property.vp"]).status, 2)
        XCTAssertEqual(try SpkicRunner.run(["lint", "corpus/policies/err/E0100-unknown-name.vp"]).status, 2)
        XCTAssertEqual(try SpkicRunner.run(["lint", wildcard, "--disable", "nothing"]).status, 2)
        XCTAssertEqual(try SpkicRunner.run(["lint", wildcard, "--help-base-uri", "Docs/"]).status, 2)
        XCTAssertEqual(try SpkicRunner.run(["lint", wildcard, "--at", "tomorrow"]).status, 2)
        XCTAssertEqual(try SpkicRunner.run(["lint"]).status, 2)
    }

    func testGitHubFormat() throws {
        let output = try SpkicRunner.run(["lint", wildcard, "--format", "github"] + at)
        XCTAssertEqual(output.status, 0)
        XCTAssertTrue(output.stdout.hasPrefix("::warning file=\(wildcard),line=12,col=15,"), output.stdout)
        XCTAssertTrue(output.stdout.contains(",title=wildcard-grant::user `alice` is granted `*`"), output.stdout)
        let errors = try SpkicRunner.run(["lint", expected, "--format", "github"] + at)
        XCTAssertTrue(errors.stdout.hasPrefix("::error file=\(expected),line=14,col=5,"), errors.stdout)
    }

    func testJSONPointsAtTheRulePage() throws {
        let output = try SpkicRunner.run(["lint", wildcard, "--format", "json"] + at)
        let line = try XCTUnwrap(output.stdout.split(separator: "\n").first)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(object["code"] as? String, "wildcard-grant")
        XCTAssertEqual(object["documentation"] as? String, "Docs/lint/wildcard-grant.md")
    }

    /// SARIF of every bad case at once validates against the official schema and carries
    /// each rule's metadata: id, name, default level, its page (and an absolute help URI
    /// only from --help-base-uri).
    func testSARIFValidatesAndCarriesRuleMetadata() throws {
        let bad = try FileManager.default.contentsOfDirectory(atPath: PackagePaths.corpus("lint").path)
            .filter { !$0.hasPrefix(".") }.sorted().map { "corpus/lint/\($0)/bad.vp" }
        for base in [nil, "https://git.example.net/team/spkic/blob/0123abc/"] as [String?] {
            let output = try SpkicRunner.run(["lint", "--format", "sarif"] + bad + at + (base.map { ["--help-base-uri", $0] } ?? []))
            XCTAssertEqual(output.status, 1, output.stderr)
            try SchemaValidator.validate(output.stdout, against: SchemaValidator.sarif)
            let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
            let run = try XCTUnwrap((document["runs"] as? [[String: Any]])?.first)
            let driver = try XCTUnwrap((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
            let rules = try XCTUnwrap(driver["rules"] as? [[String: Any]])
            let rule = try XCTUnwrap(rules.first { $0["id"] as? String == "weak-rsa-key" })
            XCTAssertEqual(rule["name"] as? String, "weak-rsa-key")
            XCTAssertEqual((rule["defaultConfiguration"] as? [String: Any])?["level"] as? String, "error")
            XCTAssertEqual((rule["properties"] as? [String: Any])?["documentation"] as? String, "Docs/lint/weak-rsa-key.md")
            XCTAssertEqual(rule["helpUri"] as? String, base.map { $0 + "Docs/lint/weak-rsa-key.md" })
            let results = try XCTUnwrap(run["results"] as? [[String: Any]])
            let ids = Set(results.compactMap { $0["ruleId"] as? String })
            XCTAssertTrue(ids.isSuperset(of: ["wildcard-grant", "naming", "unused-suppression", "contradicted-expectation"]), "\(ids)")
            XCTAssertFalse(output.stdout.contains("github.com/spkic"))
        }
    }

    func testListRules() throws {
        let output = try SpkicRunner.run(["lint", "--list-rules"])
        XCTAssertEqual(output.status, 0)
        XCTAssertTrue(output.stdout.contains("weak-rsa-key"), output.stdout)
        XCTAssertTrue(output.stdout.contains("security"), output.stdout)
    }

    /// --fix rewrites the file with the fix-its (keeping its mode), and a second run
    /// leaves nothing that has a fix-it.
    func testFixAppliesTheFixIts() throws {
        let directory = try scratchRepository()
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = PackagePaths.corpus("policies/ok/keys").path + "/"
        var text = try String(contentsOf: PackagePaths.corpus("lint/subsumed-grant/bad.vp"), encoding: .utf8)
            .replacingOccurrences(of: "../../policies/ok/keys/", with: keys)
        text = text.replacingOccurrences(of: "certificates valid 24h renew every 8h", with: "certificates valid 7d")
            .replacingOccurrences(of: "community inria\n", with: "community inria\ncommunity Unused\n")
        let file = directory.appendingPathComponent("policy.vp")
        try Data(text.utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
        let first = try SpkicRunner.run(["lint", "--fix", file.path] + at)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("fixed "), first.stderr)
        // Fix-its that overlap (the rename and the deletion of `Unused`) or build on each
        // other (lifetime, then renewal) take a second run.
        XCTAssertTrue(first.stderr.contains("left for another run"), first.stderr)
        let second = try SpkicRunner.run(["lint", "--fix", file.path] + at)
        XCTAssertEqual(second.status, 0, second.stderr)
        let fixed = try String(contentsOf: file, encoding: .utf8)
        XCTAssertFalse(fixed.contains("grant alice ssh on a"), fixed)
        XCTAssertFalse(fixed.contains("Unused"), fixed)
        XCTAssertTrue(fixed.contains("certificates valid 3d renew every 36h"), fixed)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o640)
        let again = try SpkicRunner.run(["lint", "--format", "json", file.path] + at)
        XCTAssertFalse(again.stdout.contains("\"fixIts\":[{"), again.stdout)
        XCTAssertEqual(try SpkicRunner.run(["lint", "--fix", "-"]).status, 2)
    }

    /// Every policy of the error corpus gets an answer (1) or bad input (2), never a crash.
    func testErrorCorpusNeverCrashes() throws {
        for url in try PackagePaths.corpusFiles("policies/err", extension: "vp") {
            let output = try SpkicRunner.run(["lint", "corpus/policies/err/\(url.lastPathComponent)", "--keys", "corpus/keys"] + at)
            XCTAssertTrue([0, 1, 2].contains(output.status), "\(url.lastPathComponent): exit \(output.status)\n\(output.stderr)")
        }
    }
}
