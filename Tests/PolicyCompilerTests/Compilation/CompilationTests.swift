import Foundation
import SExpr
import SPKI
import TestSupport
import XCTest
@testable import PolicyCompiler

final class CompilationTests: XCTestCase {
    func testTheExamplesCompileWithEverySignatureMade() throws {
        for name in CompileFixture.examples {
            let ir = try CompileFixture.ir(name)
            let output = try CompileFixture.temporaryDirectory(self) + "/out"
            let result = try Compilation(ir: ir, at: CompileFixture.at, policyName: "\(name).vp").run(output: output, format: .advanced)
            XCTAssertEqual(result.signing.count(.pending), 0, name)
            XCTAssertEqual(result.signing.count(.signed), result.plan.certs.count, name)
            XCTAssertGreaterThan(result.plan.chains.count, 0, name)
            let files = try CompileFixture.files(output)
            XCTAssertNotNil(files["manifest"], name)
            let packed = try CompileFixture.packedCerts(files)
            XCTAssertEqual(packed.count, result.plan.certs.count, name)
            for planned in result.plan.certs {
                let vpxi = ir.model.vpxis[planned.vpxi].name
                XCTAssertEqual(packed[planned.canonical]?.file, OutputLayout.certs(vpxi: vpxi), name)
            }
            XCTAssertEqual(Set(files.keys.filter { $0.hasPrefix("certs/") }), Set(ir.model.vpxis.map { OutputLayout.certs(vpxi: $0.name) }), name)
            let chainFiles = Set(result.plan.chains.map { OutputLayout.chains(user: ir.model.users[$0.user].name, vpxi: ir.model.vpxis[$0.vpxi].name) })
            XCTAssertEqual(Set(files.keys.filter { $0.hasPrefix("chains/") }), chainFiles, name)
            XCTAssertEqual(try chainFiles.reduce(0) { $0 + (try CompileFixture.sequenceCount(files[$1]!)) }, result.plan.chains.count, "a sequence per chain")
            for chain in result.plan.chains {
                let key = OutputLayout.chainKey(user: ir.model.users[chain.user].name, vpxi: ir.model.vpxis[chain.vpxi].name,
                                                machine: ir.model.vpxis[chain.vpxi].machines[chain.machine].name)
                let value = try SExpr.parse(try CompileFixture.chain(output, key))
                XCTAssertEqual(value.head, "sequence", key)
                XCTAssertEqual(value.tail.count, 2 * chain.certs.count, key)
                XCTAssertEqual(value.tail.first?.canonical, result.plan.certs[chain.certs[0]].canonical, "\(key): the machine's cert first")
            }
            // A file of ACLs per vpxi, an ACL per machine in it.
            XCTAssertEqual(Set(files.keys.filter { $0.hasPrefix("acl/") }), Set(ir.model.vpxis.map { OutputLayout.acls(vpxi: $0.name) }), name)
            for (v, vpxi) in ir.model.vpxis.enumerated() {
                XCTAssertEqual(try SExprParser().parse(files[OutputLayout.acls(vpxi: vpxi.name)]!).values.filter { $0.head == "acl" }.count, vpxi.machines.count, name)
                for (m, machine) in vpxi.machines.enumerated() {
                    let acl = try SExpr.parse(try CompileFixture.acl(output, "\(vpxi.name)/\(machine.name)"))
                    XCTAssertEqual(acl, result.plan.acls.first { $0.vpxi == v && $0.machine == m }?.acl.sexp, "\(vpxi.name)/\(machine.name)")
                }
            }
        }
    }

    /// The flows of the paper: section 4.2.1 (basic), 4.2.2 (two registrars), 4.2.3
    /// (secondary user).
    func testTheThreeFlows() throws {
        let bronzeIR = try CompileFixture.ir("bronze-standard")
        let bronze = CertPlanner(ir: bronzeIR).plan(at: CompileFixture.at)
        let flows = { (plan: CertPlan) in Dictionary(grouping: plan.certs, by: \.flow).mapValues(\.count) }
        XCTAssertEqual(flows(bronze), [.resourceToRegistrar: 35, .registrarToUser: 35, .userToUser: 32])
        for cert in bronze.certs where cert.flow == .resourceToRegistrar { XCTAssertTrue(cert.cert.propagate) }
        // alice's certs on the workers propagate (she delegates to bob there), the others not.
        for cert in bronze.certs where cert.flow == .registrarToUser {
            XCTAssertEqual(cert.cert.propagate, bronzeIR.model.vpxis[0].machines[cert.machine].group == "worker")
        }
        for cert in bronze.certs where cert.flow == .userToUser {
            XCTAssertFalse(cert.cert.propagate, "a secondary user never gets propagate")
            XCTAssertEqual(cert.issuer.name, .user("alice"))
            XCTAssertEqual(cert.subject.name, .user("bob"))
        }
        let cross = CertPlanner(ir: try CompileFixture.ir("two-registrars")).plan(at: CompileFixture.at)
        let hops = cross.certs.filter { $0.flow == .registrarToRegistrar }
        XCTAssertEqual(hops.count, 6, "the compute machines are on sophia's hosts, the vpxi is lyon's")
        for hop in hops {
            XCTAssertEqual(hop.issuer.name, .registrar("sophia"))
            XCTAssertEqual(hop.subject.name, .registrar("lyon"))
            XCTAssertTrue(hop.cert.propagate)
        }
        let chain = try XCTUnwrap(cross.chains.first { cross.certs[$0.certs[0]].subject.name == .registrar("sophia") })
        XCTAssertEqual(chain.certs.map { cross.certs[$0].flow }, [.resourceToRegistrar, .registrarToRegistrar, .registrarToUser])
    }

    func testValidityIsTheEpochCutToTheWindowAndTheGrant() throws {
        let ir = try CompileFixture.ir("secondary-user")
        let vpxi = ir.model.vpxis[0]
        XCTAssertEqual(vpxi.schedule.count, 14, "4.5 days renewed every 8 h")
        // The last epoch: its validity is cut at the end of the window.
        let last = vpxi.schedule.epoch(13)
        XCTAssertEqual(last.validity.end, vpxi.window.end)
        // dave's grant ends on 12-03 08:00: in the epoch of 12-02 20:00 his cert is cut there.
        let epoch = try XCTUnwrap(vpxi.schedule.epoch(at: 1_796_241_600))  // 2026-12-02T20:00Z
        let plan = CertPlanner(ir: ir).plan(vpxi: 0, epoch: epoch)
        let dave = plan.certs.filter { $0.subject.name == .user("dave") }
        XCTAssertEqual(dave.count, 4)
        for cert in dave { XCTAssertEqual(cert.cert.validity.notAfter?.secondsSinceEpoch, 1_796_284_800) }  // 12-03 08:00
        let alice = plan.certs.first { $0.subject.name == .user("alice") }!
        XCTAssertEqual(alice.cert.validity.notAfter?.secondsSinceEpoch, epoch.start + vpxi.lifetime)
        // Consecutive epochs overlap by lifetime - renewal.
        XCTAssertEqual(vpxi.schedule.epoch(1).start - vpxi.schedule.epoch(0).validity.end, vpxi.renewal - vpxi.lifetime)
        // After dave's window, no cert for him at all.
        let later = CertPlanner(ir: ir).plan(vpxi: 0, epoch: vpxi.schedule.epoch(at: 1_796_371_200)!)  // 12-04 08:00
        XCTAssertTrue(later.certs.allSatisfy { $0.subject.name != .user("dave") })
    }

    func testTwoRunsGiveTheSameBytes() throws {
        for name in ["bronze-standard", "two-registrars"] {
            let ir = try CompileFixture.ir(name)
            let base = try CompileFixture.temporaryDirectory(self)
            let compilation = Compilation(ir: ir, at: CompileFixture.at, policyName: "\(name).vp")
            _ = try compilation.run(output: base + "/a", format: .advanced)
            _ = try compilation.run(output: base + "/b", format: .advanced)
            let a = try CompileFixture.files(base + "/a"), b = try CompileFixture.files(base + "/b")
            XCTAssertEqual(a.count, b.count)
            XCTAssertEqual(Set(a.keys), Set(b.keys))
            for (path, bytes) in a { XCTAssertEqual(bytes, b[path], "\(name): \(path) differs") }
        }
    }

    /// `corpus/policies/ok/<name>.manifest`: the manifest of the compilation at
    /// 2026-12-01T08:00Z with the demo keys. Regenerate on purpose with
    /// `SPKIC_UPDATE_GOLDEN=1 swift test --filter CompilationTests`.
    func testTheManifestsMatchTheGoldenFiles() throws {
        let update = ProcessInfo.processInfo.environment["SPKIC_UPDATE_GOLDEN"] == "1"
        for name in CompileFixture.examples {
            let ir = try CompileFixture.ir(name)
            let output = try CompileFixture.temporaryDirectory(self) + "/out"
            _ = try Compilation(ir: ir, at: CompileFixture.at, policyName: "\(name).vp").run(output: output, format: .advanced)
            let manifest = try Data(contentsOf: URL(fileURLWithPath: output + "/manifest"))
            let golden = PackagePaths.corpus("policies/ok").appendingPathComponent("\(name).manifest")
            if update {
                try manifest.write(to: golden)
                continue
            }
            let expected = try Data(contentsOf: golden)
            XCTAssertEqual(manifest, expected, "\(name): the manifest differs from \(golden.lastPathComponent); if the change is intended, regenerate with SPKIC_UPDATE_GOLDEN=1")
        }
    }

    func testCanonicalOutputHasTheSameCerts() throws {
        let ir = try CompileFixture.ir("with-include")
        let base = try CompileFixture.temporaryDirectory(self)
        let compilation = Compilation(ir: ir, at: CompileFixture.at, policyName: "with-include.vp")
        let result = try compilation.run(output: base + "/c", format: .canonical)
        let files = try CompileFixture.files(base + "/c")
        for vpxi in ir.model.vpxis {
            let bytes = try XCTUnwrap(files[OutputLayout.certs(vpxi: vpxi.name)])
            XCTAssertTrue(bytes.starts(with: Array("(8:sequence(4:cert".utf8)), "canonical")
        }
        let packed = try CompileFixture.packedCerts(files)
        for planned in result.plan.certs { XCTAssertNotNil(packed[planned.canonical]) }
    }

    func testAWindowThatEndedIssuesNothingAndWarns() throws {
        let ir = try CompileFixture.ir("with-include")
        let (plan, warnings) = Compilation(ir: ir, at: 1_830_000_000, policyName: "x").plan()
        XCTAssertTrue(plan.certs.isEmpty)
        XCTAssertEqual(plan.epochs, [nil])
        XCTAssertEqual(warnings.map(\.code.rawValue), ["W0131"])
        XCTAssertEqual(warnings.first?.severity, .warning)
    }
}
