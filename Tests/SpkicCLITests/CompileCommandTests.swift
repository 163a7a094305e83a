import Foundation
import SExpr
import TestSupport
import XCTest

/// `spkic compile` (and its short form), `spkic test` and `spkic graph`, run as a user
/// would, with the demo keys; every chain checked with the `spki reduce` command.
final class CompileCommandTests: XCTestCase {
    static let keys = ["--keys", "corpus/vm-keys", "--keys", "corpus/keys"]
    static let at = ["--at", "2026-12-01T08:00Z"]

    private func output() throws -> String {
        let directory = try SpkicRunner.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.path
    }

    func testTheShortFormCompilesAndPrintsASummary() throws {
        let out = try output() + "/certs"
        let result = try SpkicRunner.run(["corpus/policies/ok/bronze-standard.vp", "-o", out] + Self.keys + Self.at)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("bronze-standard  1/41   2026-12-01T08:00:00Z .. 2026-12-02T20:00:00Z  35        9      102    67      0"), result.stdout)
        XCTAssertTrue(result.stdout.contains("certs by flow: resource-registrar 35, registrar-registrar 0, registrar-user 35, user-user 32"), result.stdout)
        XCTAssertTrue(result.stdout.contains("signatures: 102 signed, 0 reused"), result.stdout)
        XCTAssertTrue(result.stdout.contains("tests: 4 passed, 0 failed"), result.stdout)
        // Again: everything reused.
        let again = try SpkicRunner.run(["compile", "corpus/policies/ok/bronze-standard.vp", "-o", out] + Self.keys + Self.at)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("signatures: 0 signed, 102 reused, 0 merged, 0 pending"), again.stdout)
    }

    /// Every chain of every example, reduced by `spki reduce` against its machine's ACL,
    /// gives the user exactly the tag of their cert in the manifest, with propagate only
    /// when that cert has it, and checks every signature on the way.
    func testEveryChainReducesWithSpkiReduce() throws {
        let spki = try SpkicRunner.binary().deletingLastPathComponent().appendingPathComponent("spki").path
        guard FileManager.default.isExecutableFile(atPath: spki) else { throw XCTSkip("spki binary not built") }
        var checked = 0
        for name in ["bronze-standard", "secondary-user", "two-registrars", "with-include"] {
            let out = try output() + "/\(name)"
            let result = try SpkicRunner.run(["compile", "corpus/policies/ok/\(name).vp", "-o", out] + Self.keys + Self.at)
            XCTAssertEqual(result.status, 0, result.stderr)
            let manifest = try SExpr.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/manifest"))))
            let certs = Dictionary(uniqueKeysWithValues: manifest.tail.filter { $0.head == "cert" }.map { ($0.tail.first!.text!, $0) })
            for chain in manifest.tail where chain.head == "chain" {
                let file = try XCTUnwrap(chain.first("file")?.tail.first?.text)
                let vpxi = chain.first("vpxi")!.tail.first!.text!, machine = chain.first("resource")!.tail.first!.text!
                let last = try XCTUnwrap(certs[chain.first("certs")!.tail.last!.text!])
                let aclFile = try OutputACL.extract(out, vpxi: vpxi, machine: machine, to: out + ".acl")
                let reduced = try ExternalTool.run(spki, ["reduce", "--acl", aclFile, "--at", "2026-12-01T09:00:00Z", out + "/" + file])
                XCTAssertEqual(reduced.status, 0, "\(name) \(file): \(reduced.stderrText)")
                let acl = try SExpr.parse(reduced.stdout)
                // The first entry is the longest chain's: the user's.
                let entry = try XCTUnwrap(acl.tail.first)
                XCTAssertEqual(entry.first("tag"), last.first("tag"), "\(name) \(file)")
                XCTAssertEqual(entry.first("propagate") != nil, last.first("propagate") != nil, "\(name) \(file)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 67 + 9 + 7 + 1)
    }

    func testTestRunsTheExpectations() throws {
        let result = try SpkicRunner.run(["test", "corpus/policies/ok/bronze-standard.vp"] + Self.keys + Self.at)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("ok     bronze-standard: bob can ssh on worker[3] at 2026-12-02T10:00:00Z"), result.stdout)
        XCTAssertTrue(result.stdout.hasSuffix("4 passed, 0 failed\n"), result.stdout)
        let store = try output()
        let failing = try SpkicRunner.run(["test", "corpus/policies/err/E0130-expectation-failed.vp", "--keys", store, "--keys", "corpus/keys",
                                           "--generate-missing-keys"])
        XCTAssertEqual(failing.status, 1)
        XCTAssertTrue(failing.stdout.hasSuffix("1 passed, 1 failed\n"), failing.stdout)
        XCTAssertTrue(failing.stderr.contains("error[E0130]"), failing.stderr)
        // Compilation refuses too, and writes nothing; --no-test compiles anyway.
        let out = try output() + "/out"
        let refused = try SpkicRunner.run(["compile", "corpus/policies/err/E0130-expectation-failed.vp", "-o", out, "--keys", store, "--keys", "corpus/keys"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        let forced = try SpkicRunner.run(["compile", "corpus/policies/err/E0130-expectation-failed.vp", "-o", out, "--keys", store, "--keys", "corpus/keys", "--no-test"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
    }

    func testExitStatuses() throws {
        let out = try output() + "/out"
        let noKeys = try SpkicRunner.run(["compile", "corpus/policies/ok/bronze-standard.vp", "-o", out])
        XCTAssertEqual(noKeys.status, 2)
        XCTAssertTrue(noKeys.stderr.contains("error: no key store: give --keys DIR"), noKeys.stderr)
        let missingMachineKeys = try SpkicRunner.run(["compile", "corpus/policies/ok/bronze-standard.vp", "-o", out, "--keys", "corpus/keys"])
        XCTAssertEqual(missingMachineKeys.status, 2)
        XCTAssertTrue(missingMachineKeys.stderr.contains("has no key for 35 machines"), missingMachineKeys.stderr)
        let badPolicy = try SpkicRunner.run(["compile", "corpus/policies/err/E0100-unknown-name.vp", "-o", out] + Self.keys)
        XCTAssertEqual(badPolicy.status, 2)
        XCTAssertTrue(badPolicy.stderr.contains("error[E0100]"), badPolicy.stderr)
        let unplaceable = try SpkicRunner.run(["compile", "corpus/policies/err/E0121-pool-exhausted.vp", "-o", out] + Self.keys)
        XCTAssertEqual(unplaceable.status, 1, "placement impossible is a refusal")
        let badTime = try SpkicRunner.run(["compile", "corpus/policies/ok/bronze-standard.vp", "-o", out, "--at", "tomorrow"] + Self.keys)
        XCTAssertEqual(badTime.status, 2)
        let notOurs = try output()
        try Data("x".utf8).write(to: URL(fileURLWithPath: notOurs + "/file.txt"))
        let refused = try SpkicRunner.run(["compile", "corpus/policies/ok/with-include.vp", "-o", notOurs] + Self.keys + Self.at)
        XCTAssertEqual(refused.status, 2)
        XCTAssertTrue(refused.stderr.contains("refusing to replace it"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testGraphDrawsTopologyAndDelegations() throws {
        let result = try SpkicRunner.run(["graph", "corpus/policies/ok/secondary-user.vp"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.hasPrefix("digraph spkic {"), result.stdout)
        XCTAssertTrue(result.stdout.contains("subgraph cluster_host_0"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\"segmentation/gateway\" -> \"segmentation/seg[1]\" [label=\">= 100 Mbps\\nchacha20-poly1305\", dir=both]"), result.stdout)
        XCTAssertTrue(result.stdout.contains("\"user:alice\" -> \"user:dave\""), result.stdout)
        let dot = try ExternalTool.require("dot", package: "graphviz")
        _ = dot
        let svg = try output() + "/graph.svg"
        let drawn = try SpkicRunner.run(["graph", "corpus/policies/ok/bronze-standard.vp", "-o", svg])
        XCTAssertEqual(drawn.status, 0, drawn.stderr)
        let text = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertTrue(text.contains("<svg"), String(text.prefix(200)))
    }
}
