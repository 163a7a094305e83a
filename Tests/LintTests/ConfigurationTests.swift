import Lint
import XCTest

final class ConfigurationTests: XCTestCase {
    private let sample = """
        # spkic lint configuration
        ignore = ["generated/**", "vendor/*.vp"]

        [categories]
        style = "off"
        robustness = "error"

        [rules]
        wildcard-grant = "error"
        naming = "warning"

        [options]
        max-lifetime = "48h"
        renewal-factor = 3
        expiry-horizon = "14d"
        max-pool-share = 0.25
        """

    func testLevelsOptionsAndIgnoredPaths() throws {
        let configuration = try LintConfiguration.parse(sample, name: "lint.toml")
        let level = { (id: String) in configuration.level(of: LintRegistry.descriptor(id)!) }
        XCTAssertEqual(level("wildcard-grant"), .error)
        XCTAssertEqual(level("naming"), .warning, "a rule's own level wins over its category's")
        XCTAssertEqual(level("format-drift"), .off)
        XCTAssertEqual(level("renewal-margin"), .error)
        XCTAssertEqual(level("weak-rsa-key"), .error)
        XCTAssertEqual(level("open-delegation"), .warning)
        XCTAssertEqual(configuration.options.maxLifetime, 48 * 3600)
        XCTAssertEqual(configuration.options.renewalFactor, 3)
        XCTAssertEqual(configuration.options.expiryHorizon, 14 * 86_400)
        XCTAssertEqual(configuration.options.maxPoolShare, 0.25)
        XCTAssertTrue(configuration.isIgnored("generated/a/b.vp"))
        XCTAssertTrue(configuration.isIgnored("./vendor/x.vp"))
        XCTAssertFalse(configuration.isIgnored("vendor/sub/x.vp"), "`*` stays within one segment")
        XCTAssertFalse(configuration.isIgnored("policies/a.vp"))
    }

    func testErrorsSayWhatAndWhere() {
        func message(_ text: String) -> String {
            do {
                _ = try LintConfiguration.parse(text, name: "lint.toml")
                return "parsed"
            } catch {
                return error.description
            }
        }
        XCTAssertTrue(message("[rules]\nwildcard-grnt = \"off\"").contains("unknown rule `wildcard-grnt`"))
        XCTAssertTrue(message("[rules]\nwildcard-grnt = \"off\"").contains("did you mean `wildcard-grant`?"))
        XCTAssertTrue(message("[rules]\nnaming = \"loud\"").contains("`rules.naming` must be one of"))
        XCTAssertTrue(message("[categories]\nsafety = \"off\"").contains("unknown category `safety`"))
        XCTAssertTrue(message("[options]\nmax-lifetime = \"soon\"").contains("a duration"))
        XCTAssertTrue(message("[options]\nmax-pool-share = 2").contains("at most 1"))
        XCTAssertTrue(message("colour = true").contains("unknown key `colour`"))
        XCTAssertTrue(message("[rules\nnaming = 1").hasPrefix("lint.toml:1:"), message("[rules\nnaming = 1"))
        XCTAssertTrue(message("ignore = \"all\"").contains("array of path patterns"))
    }

    func testEnableAndDisable() throws {
        var configuration = try LintConfiguration.parse("[categories]\nstyle = \"off\"\n[rules]\nwildcard-grant = \"off\"", name: "c")
        try configuration.enable("wildcard-grant")
        XCTAssertEqual(configuration.level(of: LintRegistry.descriptor("wildcard-grant")!), .warning)
        try configuration.enable("style")
        XCTAssertEqual(configuration.level(of: LintRegistry.descriptor("naming")!), .info)
        try configuration.disable("security")
        XCTAssertEqual(configuration.level(of: LintRegistry.descriptor("weak-rsa-key")!), .off)
        XCTAssertEqual(configuration.level(of: LintRegistry.descriptor("wildcard-grant")!), .off)
        XCTAssertThrowsError(try configuration.disable("nmaing")) { error in
            XCTAssertTrue("\(error)".contains("did you mean `naming`?"), "\(error)")
        }
    }

    func testIgnoredRootIsNotLinted() throws {
        var configuration = LintConfiguration()
        configuration.ignoredPaths = ["**/wildcard-grant/*.vp"]
        let path = PackagePathsForTests.corpusLint("wildcard-grant/bad.vp")
        let (report, _) = LintHarness.lint([path], configuration: configuration)
        XCTAssertEqual(report.diagnostics, [])
        XCTAssertEqual(report.ignoredRoots, [path])
    }
}

import TestSupport

enum PackagePathsForTests {
    static func corpusLint(_ path: String) -> String { PackagePaths.corpus("lint/\(path)").path }
}
