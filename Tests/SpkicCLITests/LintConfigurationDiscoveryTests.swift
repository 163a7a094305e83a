import Foundation
import TestSupport
import XCTest

/// `spkic lint` without --config: each policy's nearest spkic-lint.toml, --config and
/// --no-config, and the time of linting (--at, the configuration's `at`, now).
final class LintConfigurationDiscoveryTests: XCTestCase {
    private let at = ["--at", "2026-11-01T00:00Z"]
    private var directory: URL!

    override func setUpWithError() throws {
        directory = try SpkicRunner.temporaryDirectory()
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes `text` at `path` under the scratch folder, creating folders.
    private func write(_ path: String, _ text: String) throws {
        let url = directory.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// A copy of a rule's case of corpus/lint, its keys pointing into the corpus.
    private func copy(_ rule: String, _ kind: String = "bad", to path: String) throws {
        let keys = PackagePaths.corpus("policies/ok/keys").path + "/"
        let text = try String(contentsOf: PackagePaths.corpus("lint/\(rule)/\(kind).vp"), encoding: .utf8)
            .replacingOccurrences(of: "../../policies/ok/keys/", with: keys)
        try write(path, text)
    }

    private func lint(_ arguments: [String]) throws -> SpkicRunner.Output {
        try SpkicRunner.run(["lint"] + arguments, in: directory)
    }

    /// The shipped examples lint clean on any day with no --at and no --config: their
    /// spkic-lint.toml pins the time of linting. (The run does not depend on today: the
    /// configuration's `at` replaces it.)
    func testShippedExamplesLintCleanWithoutAtOrConfig() throws {
        let examples = try PackagePaths.corpusFiles("policies/ok", extension: "vp").map { "corpus/policies/ok/\($0.lastPathComponent)" }
        XCTAssertTrue(examples.contains("corpus/policies/ok/large-pool.vp"))
        let output = try SpkicRunner.run(["lint", "--strict"] + examples)
        XCTAssertEqual(output.status, 0, output.stderr)
        let findings = output.stderr.split(separator: "\n").filter { !$0.hasPrefix("note: corpus/policies/ok/spkic-lint.toml sets the time of linting") }
        XCTAssertEqual(findings, [], output.stderr)
        // Linted at a later date, the same examples have time-dependent findings: the
        // configuration is what keeps them clean, and --at still wins over it.
        let later = try SpkicRunner.run(["lint", "--strict", "--format", "json"] + examples + ["--at", "2026-12-04T00:00Z"])
        XCTAssertEqual(later.status, 1, later.stderr)
        XCTAssertTrue(later.stdout.contains("\"code\":\"expiring-soon\""), later.stdout)
        XCTAssertTrue(later.stdout.contains("\"code\":\"unexercisable-grant\""), later.stdout)
        XCTAssertEqual(try SpkicRunner.run(["lint", "--strict", "--no-config", "--at", "2026-12-04T00:00Z"] + examples).status, 1)
    }

    func testNearestConfigurationWinsPerFile() throws {
        try write(".git/HEAD", "ref: refs/heads/main\n")
        try write("spkic-lint.toml", "[rules]\nwildcard-grant = \"error\"\n")
        try write("team/spkic-lint.toml", "[rules]\nwildcard-grant = \"off\"\n")
        try copy("wildcard-grant", to: "a.vp")
        try copy("wildcard-grant", to: "team/deep/b.vp")
        try copy("wildcard-grant", to: "other/c.vp")
        let output = try lint(["a.vp", "team/deep/b.vp", "other/c.vp"] + at)
        XCTAssertEqual(output.status, 1, output.stderr)
        XCTAssertTrue(output.stderr.contains("error[wildcard-grant]"), output.stderr)
        XCTAssertTrue(output.stderr.contains(" --> a.vp:12:15"), output.stderr)
        XCTAssertTrue(output.stderr.contains(" --> other/c.vp:12:15"), output.stderr)
        XCTAssertFalse(output.stderr.contains("team/deep/b.vp"), "team/spkic-lint.toml turns the rule off: \(output.stderr)")
        XCTAssertTrue(output.stderr.hasSuffix("2 errors, 0 warnings\n"), output.stderr)
        // From inside the team folder, the same configuration applies.
        let inside = try SpkicRunner.run(["lint", "deep/b.vp"] + at, in: directory.appendingPathComponent("team"))
        XCTAssertEqual(inside.status, 0, inside.stderr)
        XCTAssertEqual(inside.stderr, "")
    }

    func testConfigOverridesAndNoConfigDisables() throws {
        try write(".git/HEAD", "ref: refs/heads/main\n")
        try write("spkic-lint.toml", "[rules]\nwildcard-grant = \"error\"\n")
        try write("quiet.toml", "[rules]\nwildcard-grant = \"off\"\n")
        try copy("wildcard-grant", to: "a.vp")
        XCTAssertEqual(try lint(["a.vp"] + at).status, 1)
        let overridden = try lint(["a.vp", "--config", "quiet.toml"] + at)
        XCTAssertEqual(overridden.status, 0, overridden.stderr)
        XCTAssertEqual(overridden.stderr, "")
        let none = try lint(["a.vp", "--no-config", "--strict"] + at)
        XCTAssertEqual(none.status, 1, "the default level, a warning: \(none.stderr)")
        XCTAssertTrue(none.stderr.contains("warning[wildcard-grant]"), none.stderr)
        let both = try lint(["a.vp", "--no-config", "--config", "quiet.toml"])
        XCTAssertEqual(both.status, 2)
        XCTAssertTrue(both.stderr.contains("--no-config"), both.stderr)
        // --enable/--disable apply after a discovered configuration too.
        XCTAssertEqual(try lint(["a.vp", "--disable", "wildcard-grant"] + at).status, 0)
    }

    func testBadDiscoveredConfigurationIsBadInputNamingTheFile() throws {
        try write(".git/HEAD", "ref: refs/heads/main\n")
        try write("team/spkic-lint.toml", "[rules]\nwildcard-grnt = \"off\"\n")
        try copy("wildcard-grant", to: "team/a.vp")
        let output = try lint(["team/a.vp"] + at)
        XCTAssertEqual(output.status, 2, output.stderr)
        XCTAssertTrue(output.stderr.contains("team/spkic-lint.toml: [rules]: unknown rule `wildcard-grnt`"), output.stderr)
        XCTAssertTrue(output.stderr.contains("found for `team/a.vp`"), output.stderr)
        XCTAssertTrue(output.stderr.contains("did you mean `wildcard-grant`?"), output.stderr)
        // --no-config and --config step around it.
        XCTAssertEqual(try lint(["team/a.vp", "--no-config"] + at).status, 0)
        try write("team/spkic-lint.toml", "at = \"soon\"\n")
        let badTime = try lint(["team/a.vp"])
        XCTAssertEqual(badTime.status, 2, badTime.stderr)
        XCTAssertTrue(badTime.stderr.contains("team/spkic-lint.toml: `at`:"), badTime.stderr)
        XCTAssertFalse(badTime.stderr.contains("--at:"), badTime.stderr)
        try write("team/.spkic-lint.toml", "")
        let ambiguous = try lint(["team/a.vp"] + at)
        XCTAssertEqual(ambiguous.status, 2, ambiguous.stderr)
        XCTAssertTrue(ambiguous.stderr.contains("`team` holds both"), ambiguous.stderr)
    }

    /// A policy from standard input gets the configuration of the working directory.
    func testStandardInputUsesTheWorkingDirectory() throws {
        try write(".git/HEAD", "ref: refs/heads/main\n")
        try write("spkic-lint.toml", "[rules]\nwildcard-grant = \"error\"\n")
        try copy("wildcard-grant", to: "a.vp")
        let text = try String(contentsOf: directory.appendingPathComponent("a.vp"), encoding: .utf8)
        let output = try SpkicRunner.run(["lint", "-"] + at, stdin: text, in: directory)
        XCTAssertEqual(output.status, 1, output.stderr)
        XCTAssertTrue(output.stderr.contains("error[wildcard-grant]"), output.stderr)
        XCTAssertTrue(output.stderr.contains(" --> <stdin>:12:15"), output.stderr)
    }

    func testTheSearchStopsAtTheRepository() throws {
        try write("spkic-lint.toml", "[rules]\nwildcard-grant = \"error\"\n")
        try write("repo/.git", "gitdir: /elsewhere\n")  // a worktree's .git is a file
        try copy("wildcard-grant", to: "repo/a.vp")
        let output = try lint(["repo/a.vp"] + at)
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertTrue(output.stderr.contains("warning[wildcard-grant]"), "the configuration above the repository is not used: \(output.stderr)")
    }

    func testIgnoredPathsAreRelativeToTheDiscoveredConfiguration() throws {
        try write(".git/HEAD", "ref: refs/heads/main\n")
        try write("policies/spkic-lint.toml", "ignore = [\"generated/**\"]\n")
        try copy("wildcard-grant", to: "policies/generated/a.vp")
        try copy("wildcard-grant", to: "policies/b.vp")
        let output = try lint(["policies/generated/a.vp", "policies/b.vp"] + at)
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertFalse(output.stderr.contains("generated/a.vp"), output.stderr)
        XCTAssertTrue(output.stderr.contains(" --> policies/b.vp:12:15"), output.stderr)
    }

    /// --at wins over the configuration's `at`, which wins over now. The policy's
    /// registration ends on 2026-11-20: `expiring-soon` at 2026-11-01, not at 2025-01-01.
    func testAtPrecedence() throws {
        try write(".git/HEAD", "ref: refs/heads/main\n")
        try copy("expiring-soon", to: "a.vp")
        try write("spkic-lint.toml", "at = \"2026-11-01T00:00Z\"\n")
        let pinned = try lint(["a.vp", "--format", "json"])
        XCTAssertEqual(pinned.status, 0, pinned.stderr)
        XCTAssertTrue(pinned.stdout.contains("\"code\":\"expiring-soon\""), pinned.stdout)
        XCTAssertTrue(pinned.stdout.contains("ends in 19 days"), pinned.stdout)
        let commandLine = try lint(["a.vp", "--format", "json", "--at", "2025-01-01T00:00Z"])
        XCTAssertFalse(commandLine.stdout.contains("expiring-soon"), "--at wins: \(commandLine.stdout)")
        try write("spkic-lint.toml", "at = 2025-01-01T00:00:00Z\n")
        let early = try lint(["a.vp", "--format", "json"])
        XCTAssertEqual(early.status, 0, early.stderr)
        XCTAssertFalse(early.stdout.contains("expiring-soon"), early.stdout)
        XCTAssertTrue(early.stderr.contains("note: spkic-lint.toml sets the time of linting to 2025-01-01T00:00:00Z (`at`)"), early.stderr)
        let commandLineAgain = try lint(["a.vp", "--format", "json", "--at", "2026-11-01T00:00Z"])
        XCTAssertTrue(commandLineAgain.stdout.contains("ends in 19 days"), commandLineAgain.stdout)
        XCTAssertEqual(commandLineAgain.stderr, "", "no note when --at is given")
        // --no-config: now, whatever the configuration says (2026-11-20 is past or near
        // on any day these tests run from now on, so expiring-soon no longer says 19 days).
        let now = try lint(["a.vp", "--format", "json", "--no-config"])
        XCTAssertFalse(now.stdout.contains("ends in 19 days"), now.stdout)
    }

    /// The note about a pinned `at` is printed once per configuration file per run (not per
    /// policy), on standard error only: the machine formats on standard output are unchanged.
    func testPinnedAtNoteOncePerConfigurationFile() throws {
        try write(".git/HEAD", "ref: refs/heads/main\n")
        try write("spkic-lint.toml", "at = \"2025-01-01T00:00Z\"\n")
        try write("team/spkic-lint.toml", "at = \"2025-02-01T00:00Z\"\n")
        for path in ["a.vp", "b.vp", "c/d.vp", "team/e.vp", "team/f/g.vp"] { try copy("wildcard-grant", to: path) }
        let files = ["a.vp", "team/e.vp", "b.vp", "c/d.vp", "team/f/g.vp"]
        func notes(_ stderr: String) -> [String] { stderr.split(separator: "\n").filter { $0.hasPrefix("note: ") }.map(String.init) }
        let human = try lint(files)
        XCTAssertEqual(human.status, 0, human.stderr)
        XCTAssertEqual(notes(human.stderr).count, 2, human.stderr)
        XCTAssertEqual(notes(human.stderr).filter { $0.hasPrefix("note: spkic-lint.toml sets the time of linting to 2025-01-01T00:00Z") }.count, 1, human.stderr)
        XCTAssertEqual(notes(human.stderr).filter { $0.hasPrefix("note: team/spkic-lint.toml sets the time of linting to 2025-02-01T00:00Z") }.count, 1, human.stderr)
        XCTAssertEqual(notes(try lint(files + ["--config", "spkic-lint.toml"]).stderr).count, 1)
        XCTAssertEqual(notes(try lint(files + ["--at", "2026-11-01T00:00Z"]).stderr), [], "--at: nothing pinned")
        let expected = try lint(files + ["--format", "json", "--at", "2025-01-01T00:00Z"])
        for format in ["json", "sarif", "github"] {
            let output = try lint(files + ["--format", format])
            XCTAssertEqual(output.status, 0, output.stderr)
            XCTAssertEqual(notes(output.stderr).count, 2, "\(format): \(output.stderr)")
            XCTAssertFalse(output.stdout.contains("note:"), "\(format): \(output.stdout)")
            XCTAssertEqual(output.stdout.components(separatedBy: "wildcard-grant").count > 5, true, "\(format): \(output.stdout)")
            switch format {
            case "json":
                XCTAssertEqual(output.stdout, expected.stdout, "the same findings as at the pinned time")
                for line in output.stdout.split(separator: "\n") { XCTAssertNoThrow(try JSONSerialization.jsonObject(with: Data(line.utf8))) }
            case "sarif":
                try SchemaValidator.validate(output.stdout, against: SchemaValidator.sarif)
            default:
                XCTAssertTrue(output.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("::warning file=") }, output.stdout)
            }
        }
    }

    /// SARIF and GitHub output of files linted under discovered configurations.
    func testMachineFormatsUnderDiscovery() throws {
        try write(".git/HEAD", "ref: refs/heads/main\n")
        try write("strict/spkic-lint.toml", "[rules]\nwildcard-grant = \"error\"\n")
        try copy("wildcard-grant", to: "strict/a.vp")
        try copy("wildcard-grant", to: "b.vp")
        let github = try lint(["strict/a.vp", "b.vp", "--format", "github"] + at)
        XCTAssertEqual(github.status, 1, github.stderr)
        XCTAssertTrue(github.stdout.contains("::error file=strict/a.vp,line=12,col=15,"), github.stdout)
        XCTAssertTrue(github.stdout.contains("::warning file=b.vp,line=12,col=15,"), github.stdout)
        let sarif = try lint(["strict/a.vp", "b.vp", "--format", "sarif"] + at)
        try SchemaValidator.validate(sarif.stdout, against: SchemaValidator.sarif)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(sarif.stdout.utf8)) as? [String: Any])
        let runs = try XCTUnwrap(document["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 1, "one run for all the files")
        let levels = try XCTUnwrap(runs.first?["results"] as? [[String: Any]]).compactMap { $0["level"] as? String }
        XCTAssertEqual(levels.sorted(), ["error", "warning"])
    }
}
