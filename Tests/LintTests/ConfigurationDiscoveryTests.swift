import Foundation
@testable import Lint
import TestSupport
import ToolSupport
import XCTest

/// Discovery of `spkic-lint.toml` (nearest wins, `.git` stops the search), the loading of
/// a discovered file (its errors name it, its `ignore` is relative to its folder), and `at`.
final class ConfigurationDiscoveryTests: XCTestCase {
    /// A file system of the given paths (files with their text; folders without).
    private func fileSystem(_ entries: [String: String?], workingDirectory: String = "/work") -> ConfigurationDiscovery.FileSystem {
        var existing = Set<String>()
        for path in entries.keys {
            var folder: String? = path
            while let current = folder {
                existing.insert(current)
                folder = LexicalPath.parent(current)
            }
        }
        let contents = entries.compactMapValues(\.self)
        return .init(workingDirectory: workingDirectory, exists: { [existing] in existing.contains($0) },
                     read: { path in
                         contents[LexicalPath.absolute(path, in: workingDirectory)].map { .success(Array($0.utf8)) }
                             ?? .failure(FileError(code: .cannotRead, path: path, reason: "No such file or directory"))
                     })
    }

    func testTheNearestConfigurationWins() throws {
        var discovery = ConfigurationDiscovery(fileSystem: fileSystem([
            "/work/.git": nil,
            "/work/spkic-lint.toml": "",
            "/work/policies/team/.spkic-lint.toml": "",
            "/work/policies/team/deep/x.vp": "",
            "/work/policies/y.vp": "",
        ]))
        XCTAssertEqual(try discovery.configurationFile(for: "policies/team/deep/x.vp"), "policies/team/.spkic-lint.toml")
        XCTAssertEqual(try discovery.configurationFile(for: "policies/team/z.vp"), "policies/team/.spkic-lint.toml")
        XCTAssertEqual(try discovery.configurationFile(for: "policies/y.vp"), "spkic-lint.toml")
        XCTAssertEqual(try discovery.configurationFile(for: "./policies/../policies/y.vp"), "spkic-lint.toml")
        XCTAssertEqual(try discovery.configurationFile(for: "/work/policies/y.vp"), "spkic-lint.toml", "shown relative to the working directory")
        XCTAssertEqual(try discovery.configurationFile(for: "-"), "spkic-lint.toml", "standard input is in the working directory")
        // Cached folders give the same answers.
        XCTAssertEqual(try discovery.configurationFile(for: "policies/team/deep/x.vp"), "policies/team/.spkic-lint.toml")
    }

    func testAConfigurationAboveTheWorkingDirectoryIsShownAbsolute() throws {
        var discovery = ConfigurationDiscovery(fileSystem: fileSystem([
            "/work/.git": nil, "/work/spkic-lint.toml": "", "/work/policies/y.vp": "",
        ], workingDirectory: "/work/policies"))
        XCTAssertEqual(try discovery.configurationFile(for: "y.vp"), "/work/spkic-lint.toml")
        XCTAssertEqual(try discovery.configurationFile(for: "../other/z.vp"), "/work/spkic-lint.toml")
    }

    func testTheSearchStopsAtTheRepositoryAndTheRoot() throws {
        var discovery = ConfigurationDiscovery(fileSystem: fileSystem([
            "/spkic-lint.toml": "",
            "/home/spkic-lint.toml": "",
            "/home/repo/.git": nil,
            "/home/repo/a/x.vp": "",
            "/home/repo/spkic-lint.toml": "",
            "/home/other/.git": nil,
            "/home/other/x.vp": "",
            "/srv/x.vp": "",
        ]))
        XCTAssertEqual(try discovery.configurationFile(for: "/home/repo/a/x.vp"), "/home/repo/spkic-lint.toml",
                       "the folder holding .git is searched")
        XCTAssertNil(try discovery.configurationFile(for: "/home/other/x.vp"), "nothing above the repository is used")
        XCTAssertEqual(try discovery.configurationFile(for: "/srv/x.vp"), "/spkic-lint.toml", "without .git, up to the root")
    }

    func testTwoConfigurationsInOneFolderAreAnError() {
        var discovery = ConfigurationDiscovery(fileSystem: fileSystem([
            "/work/.git": nil, "/work/p/spkic-lint.toml": "", "/work/p/.spkic-lint.toml": "",
        ]))
        XCTAssertThrowsError(try discovery.configurationFile(for: "p/x.vp")) { error in
            XCTAssertTrue("\(error)".contains("`p` holds both `spkic-lint.toml` and `.spkic-lint.toml`"), "\(error)")
            XCTAssertTrue("\(error)".contains("--config FILE"), "\(error)")
        }
    }

    func testGroupsFilesByConfiguration() throws {
        var discovery = ConfigurationDiscovery(fileSystem: fileSystem([
            "/work/.git": nil, "/work/a/spkic-lint.toml": "",
        ]))
        let groups = try discovery.group(["b/1.vp", "a/1.vp", "b/2.vp", "a/sub/2.vp"])
        XCTAssertEqual(groups.map(\.configuration), [nil, "a/spkic-lint.toml"])
        XCTAssertEqual(groups.map(\.files), [["b/1.vp", "b/2.vp"], ["a/1.vp", "a/sub/2.vp"]])
    }

    func testADiscoveredConfigurationIgnoresPathsRelativeToItsFolder() throws {
        let files = fileSystem(["/work/.git": nil, "/work/policies/spkic-lint.toml": "ignore = [\"generated/**\"]\n"])
        let discovered = try ConfigurationDiscovery(fileSystem: files).load("policies/spkic-lint.toml", discovered: true)
        XCTAssertTrue(discovered.isIgnored("policies/generated/a.vp"))
        XCTAssertTrue(discovered.isIgnored("/work/policies/generated/b/c.vp"))
        XCTAssertTrue(discovered.isIgnored("./policies/x/../generated/a.vp"))
        XCTAssertFalse(discovered.isIgnored("generated/a.vp"), "outside the configuration's folder")
        XCTAssertFalse(discovered.isIgnored("policies/a.vp"))
        // With --config, the patterns match the paths as given.
        let given = try ConfigurationDiscovery(fileSystem: files).load("policies/spkic-lint.toml", discovered: false)
        XCTAssertTrue(given.isIgnored("generated/a.vp"))
        XCTAssertFalse(given.isIgnored("policies/generated/a.vp"))
    }

    func testLoadingErrorsNameTheFile() {
        let discovery = ConfigurationDiscovery(fileSystem: fileSystem([
            "/work/p/spkic-lint.toml": "colour = true\n",
        ]))
        XCTAssertThrowsError(try discovery.load("p/spkic-lint.toml", discovered: true)) { error in
            XCTAssertTrue("\(error)".hasPrefix("p/spkic-lint.toml: unknown key `colour`"), "\(error)")
            XCTAssertTrue("\(error)".contains("--no-config"), "a discovered file says how to do without it: \(error)")
        }
        XCTAssertThrowsError(try discovery.load("p/spkic-lint.toml", discovered: false)) { error in
            XCTAssertFalse("\(error)".contains("--no-config"), "\(error)")
        }
        XCTAssertThrowsError(try discovery.load("p/missing.toml", discovered: false)) { error in
            XCTAssertTrue("\(error)".contains("cannot read the configuration `p/missing.toml`"), "\(error)")
        }
    }

    func testAtIsATopLevelTime() throws {
        XCTAssertEqual(try LintConfiguration.parse("at = \"2026-11-01T00:00Z\"", name: "c").at, "2026-11-01T00:00Z")
        XCTAssertEqual(try LintConfiguration.parse("at = 2026-11-01T00:00:00Z", name: "c").at, "2026-11-01T00:00:00Z")
        XCTAssertEqual(try LintConfiguration.parse("at = 2026-11-01", name: "c").at, "2026-11-01")
        XCTAssertNil(try LintConfiguration.parse("[rules]\nnaming = \"off\"", name: "c").at)
        for text in ["at = 12", "at = 2026-11-01T00:00:00"] {
            XCTAssertThrowsError(try LintConfiguration.parse(text, name: "c"), text) { error in
                XCTAssertTrue("\(error)".contains("`at` must be a time"), "\(error)")
            }
        }
        XCTAssertThrowsError(try LintConfiguration.parse("[options]\nat = \"2026-11-01\"", name: "c")) { error in
            XCTAssertTrue("\(error)".contains("`at` is a top-level key"), "\(error)")
        }
    }

    /// The repository's own layout: the shipped examples have their configuration, and
    /// the rule cases of corpus/lint find none (no spkic-lint.toml up to the repository).
    func testTheRepositoryLayout() throws {
        var files = ConfigurationDiscovery.FileSystem.live()
        files.workingDirectory = "/nowhere"  // shown absolute, whatever folder the tests run in
        var discovery = ConfigurationDiscovery(fileSystem: files)
        let root = PackagePaths.root.path
        XCTAssertEqual(try discovery.configurationFile(for: root + "/corpus/policies/ok/bronze-standard.vp"),
                       root + "/corpus/policies/ok/spkic-lint.toml")
        for rule in LintRegistry.descriptors.map(\.id) {
            XCTAssertNil(try discovery.configurationFile(for: root + "/corpus/lint/\(rule)/bad.vp"), rule)
        }
        XCTAssertNil(try discovery.configurationFile(for: root + "/corpus/policies/err/E0100-unknown-name.vp"))
        let examples = try discovery.load(root + "/corpus/policies/ok/spkic-lint.toml", discovered: true)
        XCTAssertEqual(examples.at, "2026-11-01T00:00Z", "the time of the tests (LintHarness.time)")
        XCTAssertTrue(examples.ruleLevels.isEmpty && examples.categoryLevels.isEmpty && examples.ignoredPaths.isEmpty,
                      "the examples' configuration pins the time and nothing else")
    }

    /// Property: over random chains of folders, each holding a configuration, a `.git`,
    /// both or neither, discovery answers what a walk from the policy's folder up to the
    /// first `.git` (or the root) finds first, whichever file is asked first (the cache).
    func testDiscoveryIsTheNearestBelowTheRepository() throws {
        var state: UInt64 = 0x5EED
        func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<300 {
            let depth = 1 + next(6)
            let folders = (0...depth).map { level in level == 0 ? "/" : "/" + (1...level).map { "d\($0)" }.joined(separator: "/") }
            var entries: [String: String?] = [:]
            var hasConfiguration = Array(repeating: false, count: folders.count)
            var hasGit = Array(repeating: false, count: folders.count)
            for (level, folder) in folders.enumerated() {
                let base = folder == "/" ? "" : folder
                if next(4) == 0 {
                    hasConfiguration[level] = true
                    entries[base + "/" + ConfigurationDiscovery.fileNames[next(2)]] = ""
                }
                if next(5) == 0 {
                    hasGit[level] = true
                    entries[base + "/.git"] = nil as String?
                }
            }
            var discovery = ConfigurationDiscovery(fileSystem: fileSystem(entries, workingDirectory: "/elsewhere"))
            for level in (0...depth).map({ _ in next(depth + 1) }) {
                var expected: String?
                for upper in stride(from: level, through: 0, by: -1) {
                    if hasConfiguration[upper] {
                        let base = folders[upper] == "/" ? "" : folders[upper]
                        expected = ConfigurationDiscovery.fileNames.map { base + "/" + $0 }.first { entries[$0] != nil }
                        break
                    }
                    if hasGit[upper] { break }
                }
                let policy = (folders[level] == "/" ? "" : folders[level]) + "/p.vp"
                XCTAssertEqual(try discovery.configurationFile(for: policy), expected, "\(entries.keys.sorted()) \(policy)")
            }
        }
    }

    func testLexicalPaths() {
        XCTAssertEqual(LexicalPath.absolute("a/./b/../c", in: "/w"), "/w/a/c")
        XCTAssertEqual(LexicalPath.absolute("../../..", in: "/w"), "/")
        XCTAssertEqual(LexicalPath.absolute("/x//y/", in: "/w"), "/x/y")
        XCTAssertEqual(LexicalPath.parent("/x/y"), "/x")
        XCTAssertEqual(LexicalPath.parent("/x"), "/")
        XCTAssertNil(LexicalPath.parent("/"))
        XCTAssertEqual(LexicalPath.relative("/w/a", to: "/w"), "a")
        XCTAssertNil(LexicalPath.relative("/wx/a", to: "/w"))
        XCTAssertEqual(LexicalPath.relative("/a", to: "/"), "a")
        XCTAssertEqual(LexicalPath.display("/w/a/b", workingDirectory: "/w"), "a/b")
        XCTAssertEqual(LexicalPath.display("/v/a", workingDirectory: "/w"), "/v/a")
    }
}
