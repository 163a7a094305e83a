import Diagnostics
import Foundation
import Lint
import PolicyLanguage
import TestSupport
import XCTest

/// A file that another policy of the run includes is linted as part of its includers:
/// corpus/lint/unused-declaration/included/ (shared.vp, included by inria.vp and cnrs.vp).
final class IncludedFileTests: XCTestCase {
    private let folder = PackagePaths.corpus("lint/unused-declaration/included")
    private func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// `file:line: severity[rule]` of every finding, for the files of the case.
    private func findings(_ report: Linter.Report, _ sources: SourceManager) -> [String] {
        report.diagnostics.map { diagnostic in
            let file = sources[diagnostic.range.file]
            let name = file.name.split(separator: "/").last.map(String.init) ?? file.name
            return "\(name):\(file.location(of: diagnostic.range.start).line): \(diagnostic.severity.rawValue)[\(diagnostic.code.rawValue)]"
        }.sorted()
    }

    /// The markers of the case's files, in the same form.
    private func markers() throws -> [String] {
        try ["shared.vp", "inria.vp", "cnrs.vp"].flatMap { name in
            LintHarness.markers(in: try String(contentsOfFile: path(name), encoding: .utf8), rule: "unused-declaration").map { "\(name):\($0)" }
        }.sorted()
    }

    func testTheSharedFileLintedWithItsIncludersGivesExactlyItsMarkers() throws {
        let expected = try markers()
        XCTAssertEqual(expected, ["shared.vp:6: warning[unused-declaration]"])
        for order in [["shared.vp", "inria.vp", "cnrs.vp"], ["cnrs.vp", "shared.vp", "inria.vp"], ["inria.vp", "cnrs.vp"]] {
            let (report, sources) = LintHarness.lint(order.map(path))
            XCTAssertFalse(report.hasCompilerErrors)
            XCTAssertEqual(findings(report, sources), expected, "\(order)")
            XCTAssertEqual(report.includedRoots.map { $0.split(separator: "/").last.map(String.init) }, order.contains("shared.vp") ? ["shared.vp"] : [])
        }
    }

    func testOneIncluderReportsWhatItDoesNotUse() {
        let (report, sources) = LintHarness.lint([path("inria.vp"), path("shared.vp")])
        XCTAssertEqual(findings(report, sources), ["shared.vp:5: warning[unused-declaration]", "shared.vp:6: warning[unused-declaration]"])
    }

    /// Linted alone (nothing of the run includes it), the shared file is a policy of its own.
    func testTheSharedFileAloneKeepsTodaysBehaviour() {
        let (report, sources) = LintHarness.lint([path("shared.vp")])
        XCTAssertEqual(findings(report, sources), (3...6).map { "shared.vp:\($0): warning[unused-declaration]" })
        XCTAssertEqual(report.includedRoots, [])
    }

    /// Policies of one run under different configurations: the groups' reports combine as
    /// the single report does (a declaration one includer uses is used).
    func testMergingGroupsKeepsOnlyWhatEveryIncluderGives() {
        let all = ["inria.vp", "cnrs.vp", "shared.vp"].map(path)
        let loaded = PolicyLoader(read: LintHarness.read).load(all)
        var strict = LintConfiguration()
        strict.ruleLevels["unused-declaration"] = .error
        let first = Linter(configuration: LintConfiguration()).lint(loaded, roots: [all[0]], runRoots: all, keys: LintHarness.keyLoader,
                                                                    keyDirectories: [], time: LintHarness.time)
        let second = Linter(configuration: strict).lint(loaded, roots: [all[1], all[2]], runRoots: all, keys: LintHarness.keyLoader,
                                                        keyDirectories: [], time: LintHarness.time)
        XCTAssertEqual(findings(first, loaded.sources), ["shared.vp:5: warning[unused-declaration]", "shared.vp:6: warning[unused-declaration]"])
        XCTAssertEqual(findings(second, loaded.sources), ["shared.vp:4: error[unused-declaration]", "shared.vp:6: error[unused-declaration]"])
        let merged = Linter.Report.merging([first, second])
        // `spare` is unused by both (once, at the more severe of the groups' levels); `cnrs`
        // and `inria` are used by one.
        XCTAssertEqual(findings(merged, loaded.sources), ["shared.vp:6: error[unused-declaration]"])
        XCTAssertEqual(findings(Linter.Report.merging([second, first]), loaded.sources), ["shared.vp:6: error[unused-declaration]"])
        XCTAssertEqual(merged.includedRoots, [all[2]])
    }

    /// Invariants over every run of the case's files: the order of the files does not
    /// matter, and giving the shared piece beside at least one includer changes nothing
    /// (it is linted within its includers either way).
    func testOrderAndTheSharedPieceAsARootChangeNothing() {
        let includers = [["inria.vp"], ["cnrs.vp"], ["inria.vp", "cnrs.vp"]]
        for names in includers {
            let (without, withoutSources) = LintHarness.lint(names.map(path))
            let expected = findings(without, withoutSources)
            for order in permutations(names + ["shared.vp"]) {
                let (report, sources) = LintHarness.lint(order.map(path))
                XCTAssertEqual(findings(report, sources), expected, "\(order)")
                XCTAssertEqual(report.suppressed, [])
            }
        }
        let example = PackagePaths.corpus("policies/ok/with-include.vp").path
        let shared = PackagePaths.corpus("policies/ok/shared/registrars.vp").path
        let (alone, aloneSources) = LintHarness.lint([example])
        let (both, bothSources) = LintHarness.lint([shared, example])
        XCTAssertEqual(findings(both, bothSources), findings(alone, aloneSources))
        XCTAssertEqual(both.suppressed.count, alone.suppressed.count)
    }

    /// Property: for random includers of a shared piece that declares five communities,
    /// each using a random subset, the communities reported unused are exactly those no
    /// includer uses, whatever the order and whether the piece is given too.
    func testUnusedInASharedPieceIsWhatNoIncluderUses() throws {
        let directory = PackagePaths.corpus("lint/.scratch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let communities = (0..<5).map { "c-\($0)" }
        let shared = directory.appendingPathComponent("shared.vp")
        try Data(("registrar lyon key \"../../policies/ok/keys/lyon.pub\"\n" + communities.map { "community \($0)\n" }.joined()).utf8).write(to: shared)
        var generator = SystemRandomNumberGenerator()
        for trial in 0..<12 {
            let uses = (0..<Int.random(in: 1...3, using: &generator)).map { _ in communities.filter { _ in Bool.random(using: &generator) } }
            var paths: [String] = []
            for (index, used) in uses.enumerated() {
                let file = directory.appendingPathComponent("p-\(trial)-\(index).vp")
                try Data("""
                    include "shared.vp"
                    community own
                    host h-[1..2] { locator 192.0.2.{index} cpus 4 memory 8 GiB registered-with lyon until 2027-06-30T00:00Z trusted-by own }
                    user u key "../../policies/ok/keys/user-0\(index).pub" member-of \((["own"] + used).joined(separator: ", ")) clearance high

                    vpxi v {
                      owner u
                      window 2026-12-01T08:00Z .. 2026-12-05T08:00Z
                      certificates valid 24h renew every 8h
                      node a
                      grant u ssh on a
                    }

                    """.utf8).write(to: file)
                paths.append(file.path)
            }
            let expected = communities.filter { name in !uses.contains { $0.contains(name) } }.map { "community `\($0)` is declared but never used" }
            for roots in [paths, [shared.path] + paths.shuffled(using: &generator), paths.reversed() + [shared.path]] {
                let (report, _) = LintHarness.lint(roots)
                XCTAssertFalse(report.hasCompilerErrors, "\(report.diagnostics.filter { $0.severity == .error }.map(\.message))")
                let unused = report.diagnostics.filter { $0.code.rawValue == "unused-declaration" }.map(\.message).sorted()
                XCTAssertEqual(unused, expected.sorted(), "uses: \(uses), roots: \(roots.map { $0.split(separator: "/").last ?? "" })")
            }
        }
    }

    private func permutations(_ items: [String]) -> [[String]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { index in
            var rest = items
            let first = rest.remove(at: index)
            return permutations(rest).map { [first] + $0 }
        }
    }

    /// A piece that uses its includer's declarations does not analyse alone: linted with its
    /// includer, it is not an error; alone, it is (as `spkic check` says).
    func testAPieceThatNeedsItsIncluderIsNotLintedAlone() throws {
        let directory = PackagePaths.corpus("lint/.scratch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let main = directory.appendingPathComponent("main.vp")
        let piece = directory.appendingPathComponent("hosts.vp")
        try Data((LintHarness.header.split(separator: "\n").filter { !$0.hasPrefix("host") }.joined(separator: "\n") + """

            include "hosts.vp"

            vpxi study {
              owner alice
              window 2026-12-01T08:00Z .. 2026-12-05T08:00Z
              certificates valid 24h renew every 8h
              node a
              grant alice ssh on a
            }

            """).utf8).write(to: main)
        try Data("host h-[1..4] { locator 192.0.2.{index} cpus 4 memory 8 GiB hypervisor xen registered-with lyon until 2027-06-30T00:00Z trusted-by inria }\n".utf8).write(to: piece)
        let (together, sources) = LintHarness.lint([piece.path, main.path])
        XCTAssertFalse(together.hasCompilerErrors, "\(together.diagnostics.map(\.message))")
        XCTAssertEqual(findings(together, sources).filter { !$0.contains("format-drift") }, [])
        XCTAssertEqual(together.includedRoots, [piece.path])
        XCTAssertTrue(LintHarness.lint([piece.path]).0.hasCompilerErrors)
        // An includer the configuration ignores does not count: the piece is linted alone.
        var ignoring = LintConfiguration()
        ignoring.ignoredPaths = [main.path]
        let ignored = LintHarness.lint([piece.path, main.path], configuration: ignoring).0
        XCTAssertEqual(ignored.includedRoots, [])
        XCTAssertTrue(ignored.hasCompilerErrors)
    }
}
