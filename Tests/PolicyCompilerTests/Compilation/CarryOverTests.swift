import Foundation
import TestSupport
import XCTest
@testable import PolicyCompiler

/// The per-vpxi carry-over (`VPXIFingerprint`): a re-run carries the vpxis whose
/// fingerprint did not change over from the previous output, and the result must be the
/// bytes a full run into an empty directory gives, whatever changed: a grant, a host, a
/// user's key, a registrar, the compilation time.
final class CarryOverTests: XCTestCase {
    /// Four vpxis over the small pool, with the demo machine keys (`corpus/vm-keys`), each
    /// with its own renewal period.
    static let policy = Fixtures.pool + """
        user erin key "keys/erin.pub" member-of inria
        user user-01 key "keys/user-01.pub" member-of inria
        user user-02 key "keys/user-02.pub" member-of inria

        vpxi segmentation {
          owner alice
          registrar lyon
          window 2026-12-01T08:00Z .. 2026-12-03T08:00Z
          certificates valid 12h renew every 4h
          node gateway
          cluster seg[4]
          grant alice *, file(read, write, "/data") on all
          grant erin via alice ssh on seg[1..4] during 2026-12-01T08:00Z .. 2026-12-02T08:00Z
          test {
            expect erin can ssh on seg[2] at 2026-12-01T10:00Z
            expect erin cannot ssh on gateway at 2026-12-01T10:00Z
          }
        }

        vpxi cross-site {
          owner carol
          registrar lyon
          window 2026-12-01T08:00Z .. 2026-12-03T08:00Z
          certificates valid 1d renew every 8h
          cluster compute[6]
          node storage
          grant carol ssh, console on all
          grant bob ssh on compute[1..3]
        }

        vpxi tiny {
          owner erin
          registrar sophia
          window 2026-12-01T08:00Z .. 2026-12-03T08:00Z
          certificates valid 1d renew every 12h
          node only
          grant erin ssh on only
        }

        vpxi bronze-standard {
          owner alice
          registrar lyon
          window 2026-12-01T08:00Z .. 2026-12-03T08:00Z
          certificates valid 12h renew every 6h
          node dietmaster
          node files
          cluster worker[8]
          grant alice ssh, file(read, write, "/data") on all
          grant user-01 ssh on worker[1..4]
          grant user-02 via alice file(read, "/data") on worker[2..8]
          test {
            expect user-01 can ssh on worker[3] at 2026-12-01T09:00Z
            expect user-02 cannot ssh on worker[3] at 2026-12-01T09:00Z
          }
        }

        """

    static func ir(_ text: String, store: KeyStoreDirectory = CompileFixture.demoStore,
                   file: StaticString = #filePath, line: UInt = #line) throws -> InfrastructureIR? {
        let (loaded, result) = Fixtures.analyze(text)
        guard !result.hasErrors else {
            XCTFail(Fixtures.render(result.diagnostics, loaded), file: file, line: line)
            return nil
        }
        let placement = Placer.place(result.model)
        let keys = try ResolvedKeys.resolve(result.model, store: store, generateMissing: false)
        return InfrastructureIR(model: result.model, placement: placement, keys: keys)
    }

    /// Compiles `before` into an output, then `after` into the same output and into an
    /// empty one: the two must hold the same bytes, and the re-run must carry `carried`
    /// vpxis over (nil: do not check). Then back to `before`, against a fresh run of it.
    @discardableResult
    func assertEquivalent(_ before: InfrastructureIR, _ after: InfrastructureIR, from first: Int64 = CompileFixture.at,
                          at second: Int64 = CompileFixture.at, carried: Int?, _ context: String,
                          file: StaticString = #filePath, line: UInt = #line) throws -> Compilation.Result {
        let base = try CompileFixture.temporaryDirectory(self)
        _ = try Compilation(ir: before, at: first, policyName: "p.vp").run(output: base + "/incremental", format: .advanced)
        let incremental = try Compilation(ir: after, at: second, policyName: "p.vp").run(output: base + "/incremental", format: .advanced)
        let full = try Compilation(ir: after, at: second, policyName: "p.vp").run(output: base + "/full", format: .advanced)
        XCTAssertEqual(full.plan.carried, [], context, file: file, line: line)
        if let carried { XCTAssertEqual(incremental.plan.carried.count, carried, context, file: file, line: line) }
        XCTAssertEqual(incremental.statistics.chainsComplete, full.statistics.chainsComplete, context, file: file, line: line)
        try IncrementalEquivalenceTests.assertSameFiles(base + "/incremental", base + "/full", context, file: file, line: line)
        _ = try Compilation(ir: before, at: first, policyName: "p.vp").run(output: base + "/incremental", format: .advanced)
        _ = try Compilation(ir: before, at: first, policyName: "p.vp").run(output: base + "/original", format: .advanced)
        try IncrementalEquivalenceTests.assertSameFiles(base + "/incremental", base + "/original", "back: " + context, file: file, line: line)
        return incremental
    }

    func testARerunOfTheSamePolicyCarriesEveryVPXIOverAndWritesOnlyTheManifest() throws {
        let ir = try XCTUnwrap(try Self.ir(Self.policy))
        let base = try CompileFixture.temporaryDirectory(self)
        let first = try Compilation(ir: ir, at: CompileFixture.at, policyName: "p.vp").run(output: base + "/out", format: .advanced)
        XCTAssertEqual(first.plan.carried, [])
        XCTAssertGreaterThan(first.plan.certs.count, 40)
        let before = try CompileFixture.files(base + "/out")
        let second = try Compilation(ir: ir, at: CompileFixture.at, policyName: "p.vp").run(output: base + "/out", format: .advanced)
        XCTAssertEqual(second.plan.carried, Set(ir.model.vpxis.indices))
        XCTAssertEqual(second.plan.certs.count, 0)
        XCTAssertEqual(second.statistics.filesWritten, 1, "only the manifest")
        XCTAssertEqual(try CompileFixture.files(base + "/out"), before)
        // The canonical form is another output: nothing is carried over.
        let canonical = try Compilation(ir: ir, at: CompileFixture.at, policyName: "p.vp").run(output: base + "/out", format: .canonical)
        XCTAssertEqual(canonical.plan.carried, [])
    }

    func testRandomSingleGrantChanges() throws {
        var generator = SeededGenerator(seed: 0xCA77_0001)
        let original = try XCTUnwrap(try Self.ir(Self.policy))
        let lines = Self.policy.components(separatedBy: "\n")
        let grantLines = lines.indices.filter { lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix("grant ") }
        var compared = 0
        for _ in 0..<10 {
            let index = grantLines.randomElement(using: &generator)!
            let change = IncrementalEquivalenceTests.Change.allCases.randomElement(using: &generator)!
            guard let changedLine = change.apply(to: lines[index]) else { continue }
            var changedLines = lines
            changedLines[index] = changedLine
            let (_, analysis) = Fixtures.analyze(changedLines.joined(separator: "\n"))
            guard !analysis.hasErrors, let changed = try Self.ir(changedLines.joined(separator: "\n")) else { continue }
            // One vpxi changed (a grant the change leaves as it was changes nothing).
            let result = try assertEquivalent(original, changed, carried: nil, "\(change) on line \(index + 1): `\(changedLine)`")
            XCTAssertGreaterThanOrEqual(result.plan.carried.count, 3, "\(change) on line \(index + 1)")
            compared += 1
        }
        XCTAssertGreaterThanOrEqual(compared, 5)
    }

    func testAHostRegisteredWithAnotherRegistrar() throws {
        // The sophia hosts move to lyon: the vpxis with machines on them change.
        let changed = Self.policy.replacingOccurrences(of: "registered-with sophia", with: "registered-with lyon")
        let before = try XCTUnwrap(try Self.ir(Self.policy))
        let after = try XCTUnwrap(try Self.ir(changed))
        let onSophia = Set(before.model.vpxis.indices.filter { v in
            before.placement.hosts[v].contains { $0 != Placement.unplaced && before.model.hosts[$0].registration?.registrar == 1 }
        })
        XCTAssertFalse(onSophia.isEmpty, "the pool places machines on the sophia hosts")
        XCTAssertLessThan(onSophia.count, 4)
        // Carried over: the vpxis placed as before, on none of those hosts.
        let unchanged = Set(before.model.vpxis.indices.filter { !onSophia.contains($0) && before.placement.hosts[$0] == after.placement.hosts[$0] })
        let result = try assertEquivalent(before, after, carried: nil, "hosts moved to lyon")
        XCTAssertEqual(result.plan.carried, unchanged)
        XCTAssertFalse(unchanged.isEmpty)
    }

    func testAUserKeyChange() throws {
        // erin's key is replaced: the vpxis granting her something change, not the others.
        // (A store without erin's private key: it would not be the half of the new one. She
        // signs nothing here.)
        let people = try CompileFixture.temporaryDirectory(self)
        for name in try FileManager.default.contentsOfDirectory(atPath: PackagePaths.corpus("keys").path) where name.hasSuffix(".key") && name != "erin.key" {
            try FileManager.default.copyItem(atPath: PackagePaths.corpus("keys").path + "/" + name, toPath: people + "/" + name)
        }
        let store = KeyStoreDirectory(directories: [PackagePaths.corpus("vm-keys").path, people])
        let changed = Self.policy.replacingOccurrences(of: "user erin key \"keys/erin.pub\"", with: "user erin key \"keys/user-09.pub\"")
        let result = try assertEquivalent(try XCTUnwrap(try Self.ir(Self.policy, store: store)), try XCTUnwrap(try Self.ir(changed, store: store)),
                                          carried: 2, "erin's key")
        XCTAssertEqual(result.signing.count(.pending), 0)
        XCTAssertEqual(result.plan.carried, [1, 3], "cross-site and bronze-standard do not name erin")
    }

    func testARegistrarChange() throws {
        // tiny is built by lyon instead of sophia.
        let changed = Self.policy.replacingOccurrences(of: "registrar sophia\n", with: "registrar lyon\n")
        try assertEquivalent(try XCTUnwrap(try Self.ir(Self.policy)), try XCTUnwrap(try Self.ir(changed)), carried: 3, "tiny built by lyon")
        // lyon's key changes, with no private key for it in the store: every vpxi has certs
        // lyon issues, now pending requests; none is carried over, and going back re-plans
        // the vpxis whose certs were pending.
        let people = try CompileFixture.temporaryDirectory(self)
        for name in try FileManager.default.contentsOfDirectory(atPath: PackagePaths.corpus("keys").path) where name.hasSuffix(".key") && name != "lyon.key" {
            try FileManager.default.copyItem(atPath: PackagePaths.corpus("keys").path + "/" + name, toPath: people + "/" + name)
        }
        let store = KeyStoreDirectory(directories: [PackagePaths.corpus("vm-keys").path, people])
        let rekeyed = Self.policy.replacingOccurrences(of: "registrar lyon key \"keys/lyon.pub\"", with: "registrar lyon key \"keys/grenoble.pub\"")
        let result = try assertEquivalent(try XCTUnwrap(try Self.ir(Self.policy, store: store)), try XCTUnwrap(try Self.ir(rekeyed, store: store)),
                                          carried: nil, "lyon's key, without its private half")
        XCTAssertGreaterThan(result.signing.count(.pending), 0)
        XCTAssertTrue(result.plan.carried.isSubset(of: [2]), "only tiny may be carried: \(result.plan.carried)")
    }

    func testTheCompilationTimeCrossingAnEpoch() throws {
        let ir = try XCTUnwrap(try Self.ir(Self.policy))
        // An hour later: every vpxi is in the same epoch, all are carried over (only the
        // manifest's time changes).
        try assertEquivalent(ir, ir, at: CompileFixture.at + 3600, carried: 4, "an hour later")
        // Four hours later: segmentation (every 4h) enters its second epoch; the others not.
        let result = try assertEquivalent(ir, ir, at: CompileFixture.at + 4 * 3600, carried: 3, "four hours later")
        XCTAssertEqual(result.plan.carried, [1, 2, 3])
        // Twelve hours later: every vpxi is in another epoch.
        try assertEquivalent(ir, ir, at: CompileFixture.at + 12 * 3600 + 60, carried: 0, "twelve hours later")
        // After the windows: nothing issued, and the output says so the same way.
        try assertEquivalent(ir, ir, at: CompileFixture.at + 3 * 86_400, carried: 0, "after the windows")
    }

    func testExpectationsAgainstAPlanWithCarriedVPXIs() throws {
        let ir = try XCTUnwrap(try Self.ir(Self.policy))
        let base = try CompileFixture.temporaryDirectory(self)
        let compilation = Compilation(ir: ir, at: CompileFixture.at, policyName: "p.vp")
        _ = try compilation.run(output: base + "/out", format: .advanced)
        let prepared = try compilation.prepare(output: base + "/out", format: .advanced)
        XCTAssertEqual(prepared.plan.carried.count, 4)
        let reusing = compilation.checkExpectations(reusing: prepared.plan)
        let fresh = compilation.checkExpectations()
        XCTAssertEqual(reusing.count, 4)
        XCTAssertEqual(reusing.map(\.passed), fresh.map(\.passed))
        XCTAssertEqual(reusing.map(\.description), fresh.map(\.description))
        XCTAssertTrue(reusing.allSatisfy(\.passed), reusing.filter { !$0.passed }.map { $0.detail ?? "" }.joined(separator: "\n"))
    }
}
