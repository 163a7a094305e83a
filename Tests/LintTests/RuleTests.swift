import Diagnostics
import Foundation
import Lint
import TestSupport
import XCTest

/// Behaviours the corpus cases do not show: thresholds, time, key stores, determinism.
final class RuleTests: XCTestCase {
    private let header = LintHarness.header

    private func policy(_ body: String, certificates: String = "24h renew every 8h") -> String {
        header + "vpxi study {\n  owner alice\n  window 2026-12-01T08:00Z .. 2026-12-05T08:00Z\n  certificates valid \(certificates)\n  node a\n\(body)\n}\n"
    }

    private func rules(_ text: String, configuration: LintConfiguration = LintConfiguration(), time: Int64 = LintHarness.time) throws -> [String] {
        let (report, _) = try LintHarness.lint(text: text, configuration: configuration, time: time)
        XCTAssertFalse(report.hasCompilerErrors, "\(report.diagnostics.map(\.message))")
        return report.diagnostics.map(\.code.rawValue)
    }

    func testLifetimeMaximumIsConfigurable() throws {
        let text = policy("  grant alice ssh on a", certificates: "48h renew every 12h")
        XCTAssertEqual(try rules(text), [])
        var strict = LintConfiguration()
        strict.options.maxLifetime = 24 * 3600
        XCTAssertEqual(try rules(text, configuration: strict), ["lifetime-too-long"])
    }

    func testRenewalFactorIsConfigurable() throws {
        let text = policy("  grant alice ssh on a", certificates: "24h renew every 10h")
        XCTAssertEqual(try rules(text), [])
        var strict = LintConfiguration()
        strict.options.renewalFactor = 3
        XCTAssertEqual(try rules(text, configuration: strict), ["renewal-margin"])
    }

    func testRenewalDefaultingToTheLifetimeIsFlaggedWithAnInsertion() throws {
        let (report, _) = try LintHarness.lint(text: policy("  grant alice ssh on a", certificates: "24h"))
        let finding = try XCTUnwrap(report.diagnostics.first { $0.code.rawValue == "renewal-margin" })
        XCTAssertEqual(finding.fixIts.first?.edits.first?.replacement, " renew every 12h")
    }

    func testExpiryIsMeasuredFromTheTimeOfLinting() throws {
        let text = policy("  grant alice ssh on a")
        XCTAssertEqual(try rules(text), [])
        // 2026-12-01T00:00Z: the window ends within 30 days.
        XCTAssertEqual(try rules(text, time: 1_796_083_200), ["expiring-soon"])
        // 2027-07-01: the hosts' registration ended (and the vpxi with it: no grant is "over").
        let late = try rules(text, time: 1_814_400_000)
        XCTAssertEqual(late.filter { $0 == "expiring-soon" }.count, 1, "\(late)")
    }

    func testGrantOverBeforeTheEndOfTheVPXI() throws {
        let text = policy("  grant alice ssh on a\n  grant alice console on a during 2026-12-01T08:00Z .. 2026-12-02T08:00Z")
        // 2026-12-03: the console grant is over, the vpxi is not.
        XCTAssertEqual(try rules(text, time: 1_796_256_000).filter { $0 == "unexercisable-grant" }, ["unexercisable-grant"])
        XCTAssertEqual(try rules(text).filter { $0 == "unexercisable-grant" }, [])
    }

    func testKeyRulesNeedNoKeyStore() throws {
        let (report, _) = LintHarness.lint([PackagePathsForTests.corpusLint("private-key-permissions/bad.vp")],
                                           keys: ["/nonexistent/key/store"])
        XCTAssertEqual(report.diagnostics.map(\.code.rawValue), [])
        XCTAssertEqual(report.keyStoreFailures, [])
    }

    func testUnreadableKeyInTheStoreIsReportedNotFatal() throws {
        let store = try TemporaryDirectory.make("spkic-lint-bad-store")
        defer { try? FileManager.default.removeItem(at: store) }
        try Data("not a key".utf8).write(to: store.appendingPathComponent("alice.key"))
        let (report, _) = LintHarness.lint([PackagePathsForTests.corpusLint("wildcard-grant/good.vp")], keys: [store.path])
        XCTAssertEqual(report.keyStoreFailures.map(\.path), [store.appendingPathComponent("alice.key").path])
        XCTAssertFalse(report.hasCompilerErrors)
    }

    /// Linting twice gives the same diagnostics in the same order; suppressing every
    /// finding where it is leaves nothing.
    func testDeterministicAndFullySuppressible() throws {
        let paths = try FileManager.default.contentsOfDirectory(atPath: PackagePathsForTests.corpusLint(""))
            .filter { !$0.hasPrefix(".") }.sorted().map { PackagePathsForTests.corpusLint("\($0)/bad.vp") }
        let first = LintHarness.lint(paths).0.diagnostics
        XCTAssertEqual(first, LintHarness.lint(paths).0.diagnostics)
        XCTAssertGreaterThan(first.count, 20)
        for path in paths {
            let (report, sources) = LintHarness.lint([path])
            let findings = report.diagnostics.filter { !["unused-suppression", "invalid-suppression"].contains($0.code.rawValue) }
            guard !findings.isEmpty else { continue }
            let file = sources.files[0]
            var text = String(decoding: file.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let lines = text.count
            var byLine: [Int: Set<String>] = [:]
            for finding in findings { byLine[file.lineIndex(of: finding.range.start), default: []].insert(finding.code.rawValue) }
            for line in byLine.keys.sorted(by: >) where line < lines {
                text.insert("# spkic:ignore \(byLine[line]!.sorted().joined(separator: ",")) test", at: line)
            }
            // Keep the relative key paths working: lint the text from the same depth.
            let (suppressed, _) = try LintHarness.lint(text: text.joined(separator: "\n"), beside: URL(fileURLWithPath: path))
            let left = suppressed.diagnostics.filter { $0.code.rawValue != "format-drift" && $0.code.rawValue != "invalid-suppression" }
            XCTAssertEqual(left.map(\.code.rawValue), [], path)
        }
    }

    /// The key store survey's sizes and algorithms agree with OpenSSL's reading of the
    /// same files (the 1024-bit key of the weak-rsa-key case was made with `openssl genrsa`).
    func testKeyStoreSurveyAgreesWithOpenSSL() throws {
        let openssl = try ExternalTool.require("openssl", package: "openssl")
        let store = try LintHarness.makeStore(URL(fileURLWithPath: PackagePathsForTests.corpusLint("weak-rsa-key/bad.store")))
        defer { try? FileManager.default.removeItem(at: store) }
        let (report, _) = LintHarness.lint([PackagePathsForTests.corpusLint("weak-rsa-key/bad.vp")], keys: [store.path])
        let finding = try XCTUnwrap(report.diagnostics.first { $0.message.contains("key store") })
        let text = try ExternalTool.run(openssl, ["rsa", "-in", store.appendingPathComponent("lyon.key").path, "-noout", "-text"]).stdoutText
        XCTAssertTrue(text.contains("Private-Key: (1024 bit"), text)
        XCTAssertTrue(finding.message.contains("RSA-1024"), finding.message)
        let policyKey = try ExternalTool.run(openssl, ["pkey", "-pubin", "-in", PackagePathsForTests.corpusLint("weak-rsa-key/weak-1024.pub"), "-noout", "-text"])
        XCTAssertTrue(policyKey.stdoutText.contains("Public-Key: (1024 bit"), policyKey.stdoutText)
    }

    /// Policies damaged at random (a line dropped, doubled or cut short) are linted
    /// without a crash, into diagnostics that every renderer takes.
    func testDamagedPoliciesNeverCrash() throws {
        var generator = SystemRandomNumberGenerator()
        // A scratch folder whose `keys` is the examples' keys, so that their paths resolve.
        let scratch = try TemporaryDirectory.make("spkic-lint-damaged")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.createSymbolicLink(at: scratch.appendingPathComponent("keys"),
                                                   withDestinationURL: URL(fileURLWithPath: PackagePathsForTests.corpusLint("../policies/ok/keys")))
        let file = scratch.appendingPathComponent("policy.vp")
        for name in ["bronze-standard", "secondary-user", "two-registrars"] {
            let url = URL(fileURLWithPath: PackagePathsForTests.corpusLint("../policies/ok/\(name).vp"))
            let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for _ in 0..<40 {
                var damaged = lines
                let index = Int.random(in: 0..<damaged.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: damaged.remove(at: index)
                case 1: damaged.insert(damaged[index], at: index)
                default: damaged[index] = String(damaged[index].prefix(damaged[index].count / 2))
                }
                try Data(damaged.joined(separator: "\n").utf8).write(to: file)
                let (report, sources) = LintHarness.lint([file.path])
                // Every range lies in its file, and every renderer takes the result.
                for diagnostic in report.diagnostics {
                    XCTAssertLessThanOrEqual(Int(diagnostic.range.end), sources[diagnostic.range.file].bytes.count, diagnostic.message)
                    for edit in diagnostic.fixIts.flatMap(\.edits) {
                        XCTAssertLessThanOrEqual(Int(edit.range.end), sources[edit.range.file].bytes.count, diagnostic.message)
                    }
                }
                XCTAssertEqual(HumanRenderer().render(report.diagnostics, sources: sources).isEmpty, report.diagnostics.isEmpty)
                _ = SARIFRenderer(toolName: "spkic", toolVersion: "test", rules: LintRegistry.diagnosticRules).render(report.diagnostics, sources: sources)
            }
        }
    }

    /// Turning rules off only removes their findings: with any set of rules disabled, the
    /// findings are exactly those of the other rules (suppression findings aside).
    func testDisablingRulesOnlyRemovesTheirFindings() throws {
        let paths = try FileManager.default.contentsOfDirectory(atPath: PackagePathsForTests.corpusLint(""))
            .filter { !$0.hasPrefix(".") }.sorted().map { PackagePathsForTests.corpusLint("\($0)/bad.vp") }
        let meta: Set<String> = ["unused-suppression", "invalid-suppression"]
        let all = LintHarness.lint(paths).0.diagnostics.filter { !meta.contains($0.code.rawValue) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10 {
            var configuration = LintConfiguration()
            let off = Set(LintRegistry.rules.map(\.descriptor.id).filter { _ in Bool.random(using: &generator) })
            for id in off { try configuration.disable(id) }
            let some = LintHarness.lint(paths, configuration: configuration).0.diagnostics.filter { !meta.contains($0.code.rawValue) }
            XCTAssertEqual(some, all.filter { !off.contains($0.code.rawValue) }, "off: \(off.sorted())")
        }
    }
}
