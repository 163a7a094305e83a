import Foundation
import Hashing
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest
@testable import PolicyCompiler

/// Re-running into an existing output: reuse in the same epoch, re-signing what changed,
/// pending requests signed outside and merged.
final class RerunTests: XCTestCase {
    func testASecondRunInTheSameEpochReusesEverything() throws {
        let ir = try CompileFixture.ir("bronze-standard")
        let base = try CompileFixture.temporaryDirectory(self)
        let first = try Compilation(ir: ir, at: CompileFixture.at, policyName: "b").run(output: base + "/out", format: .advanced)
        let before = try CompileFixture.files(base + "/out")
        let second = try Compilation(ir: ir, at: CompileFixture.at, policyName: "b").run(output: base + "/out", format: .advanced)
        XCTAssertEqual(second.signing.count(.signed), 0)
        XCTAssertEqual(second.plan.carried, [0], "the vpxi is unchanged: carried over")
        XCTAssertEqual(second.statistics.carriedCerts, first.plan.certs.count)
        XCTAssertEqual(second.statistics.filesWritten, 1, "only the manifest is written again")
        XCTAssertEqual(try CompileFixture.files(base + "/out"), before)
        // An hour later, still in the first epoch: the same certs.
        let later = try Compilation(ir: ir, at: CompileFixture.at + 3600, policyName: "b").run(output: base + "/out", format: .advanced)
        XCTAssertEqual(later.statistics.carriedCerts, first.plan.certs.count)
        // The next epoch: every validity moves, every cert is new.
        let next = try Compilation(ir: ir, at: CompileFixture.at + 12 * 3600, policyName: "b").run(output: base + "/out", format: .advanced)
        XCTAssertEqual(next.signing.count(.reused), 0)
        XCTAssertEqual(next.signing.count(.signed), next.plan.certs.count)
        let files = try CompileFixture.files(base + "/out")
        let packed = try CompileFixture.packedCerts(files)
        XCTAssertEqual(Set(packed.keys), Set(next.plan.certs.map(\.canonical)), "certs of the previous epoch are gone")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: base).sorted(), [".out.spkic", "out"])
        let store = try FileManager.default.contentsOfDirectory(atPath: base + "/.out.spkic").sorted()
        XCTAssertEqual(store.count, 3, "one generation, the pool and the lock: \(store)")
        XCTAssertTrue(store[0].hasPrefix("gen-"))
        XCTAssertEqual(Array(store[1...]), ["lock", "pool"])
        let destination = try FileManager.default.destinationOfSymbolicLink(atPath: base + "/out")
        XCTAssertEqual(destination, ".out.spkic/" + store[0])
        // Nothing in the pool but what the output uses.
        let pooled = try FileManager.default.contentsOfDirectory(atPath: base + "/.out.spkic/pool/certs").count
        XCTAssertEqual(pooled, ir.model.vpxis.count, "one certs file per vpxi")
    }

    func testAfterOneGrantChangesOnlyTheAffectedCertsAreSigned() throws {
        let original = Fixtures.vpxi("cluster w[6]\ngrant alice ssh on w\ngrant bob ssh on w[1..3]", header: "")
        let changed = original.replacingOccurrences(of: "grant bob ssh on w[1..3]", with: "grant bob ssh on w[1..4]")
        let store = try CompileFixture.temporaryDirectory(self)
        let output = try CompileFixture.temporaryDirectory(self) + "/out"
        let first = try Compilation(ir: try Self.ir(original, store: store), at: CompileFixture.at, policyName: "p").run(output: output, format: .advanced)
        XCTAssertEqual(first.plan.certs.count, 6 + 6 + 3)
        let second = try Compilation(ir: try Self.ir(changed, store: store), at: CompileFixture.at, policyName: "p").run(output: output, format: .advanced)
        // w[4] gains bob: its machine cert (now ssh for both, same tag) is unchanged, and bob
        // gets one new cert: one signature.
        XCTAssertEqual(second.signing.count(.signed), 1)
        XCTAssertEqual(second.signing.count(.reused), second.plan.certs.count - 1)
        let widened = original.replacingOccurrences(of: "grant bob ssh on w[1..3]", with: "grant bob ssh, console on w[1..3]")
        let third = try Compilation(ir: try Self.ir(widened, store: store), at: CompileFixture.at, policyName: "p").run(output: output, format: .advanced)
        // console on w[1..3]: their machine certs change (3) and bob's certs there (3).
        XCTAssertEqual(third.signing.count(.signed), 6)
    }

    func testPendingRequestsAreWrittenThenMergedOnceSigned() throws {
        // A key store without alice's private key: her delegations to bob are pending.
        let people = try CompileFixture.temporaryDirectory(self)
        try FileManager.default.copyItem(atPath: PackagePaths.corpus("keys").path + "/lyon.key", toPath: people + "/lyon.key")
        let store = KeyStoreDirectory(directories: [PackagePaths.corpus("vm-keys").path, people])
        let ir = try CompileFixture.ir(try CompileFixture.analysis("bronze-standard"), store: store)
        let base = try CompileFixture.temporaryDirectory(self)
        let first = try Compilation(ir: ir, at: CompileFixture.at, policyName: "bronze-standard.vp").run(output: base + "/out", format: .advanced)
        XCTAssertEqual(first.signing.count(.pending), 32)
        XCTAssertEqual(first.statistics.chainsPending, 32)
        var files = try CompileFixture.files(base + "/out")
        let pending = files.keys.filter { $0.hasPrefix("pending/") && $0.hasSuffix(".tbs") }
        XCTAssertEqual(pending.count, 32)
        XCTAssertFalse(files.keys.contains { $0.hasPrefix("chains/bob/") }, "incomplete chains are not written")
        XCTAssertTrue(String(decoding: files["manifest"]!, as: UTF8.self).contains("(status pending)"))
        // alice signs each request, as `spki sign --key alice.key H.tbs -o H.sig` would.
        let alice = try RSAKeyFile.load([UInt8](try Data(contentsOf: PackagePaths.corpus("keys").appendingPathComponent("alice.key"))))
        let signer = try RSASigner(key: alice.privateKey!)
        for path in pending {
            let request = try SExpr.parse(files[path]!)
            let signature = try SPKISignature.sign(canonical: request.canonical, signer: signer, principal: alice.publicKeySExpr)
            try Data(signature.sexp.advanced().utf8).write(to: URL(fileURLWithPath: base + "/out/" + path.replacingOccurrences(of: ".tbs", with: ".sig")))
        }
        // A signature by the wrong key is not merged.
        let forged = try SPKISignature.sign(canonical: try SExpr.parse(files[pending[0]]!).canonical, signer: try RSASigner(key: try RSAKeyFile.load(
            [UInt8](try Data(contentsOf: PackagePaths.corpus("keys").appendingPathComponent("erin.key")))).privateKey!), principal: alice.publicKeySExpr)
        try Data(forged.sexp.advanced().utf8).write(to: URL(fileURLWithPath: base + "/out/" + pending[0].replacingOccurrences(of: ".tbs", with: ".sig")))
        let second = try Compilation(ir: ir, at: CompileFixture.at, policyName: "bronze-standard.vp").run(output: base + "/out", format: .advanced)
        XCTAssertEqual(second.signing.count(.merged), 31)
        XCTAssertEqual(second.signing.count(.pending), 1)
        XCTAssertEqual(second.signing.count(.signed), 0)
        // The merged chains are complete and verify (the signature names alice by her key,
        // as `spki sign` writes it, where spkic names signers by hash).
        files = try CompileFixture.files(base + "/out")
        XCTAssertEqual(files.keys.filter { $0.hasPrefix("chains/bob/") }, ["chains/bob/bronze-standard"])
        XCTAssertEqual(try CompileFixture.sequenceCount(files["chains/bob/bronze-standard"]!), 31)
        let bobChains = second.plan.chains.filter { ir.model.users[$0.user].name == "bob" && $0.certs.allSatisfy { second.signing.origins[$0] != .pending } }
        XCTAssertEqual(bobChains.count, 31)
        for chain in bobChains {
            let key = "bob/bronze-standard/" + ir.model.vpxis[0].machines[chain.machine].name
            var builder = CertBag.Builder()
            var warnings: [SPKIWarning] = []
            try builder.add(try SPKISequence(parsing: try SExpr.parse(try CompileFixture.chain(base + "/out", key)), warnings: &warnings), origin: key)
            XCTAssertTrue(builder.build(checkSignatures: true).entries.allSatisfy { $0.status.isUsable }, key)
        }
    }

    func testAnOutputThatIsNotSpkicsIsNotReplaced() throws {
        let base = try CompileFixture.temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: base + "/precious", withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: base + "/precious/notes.txt"))
        let ir = try CompileFixture.ir("with-include")
        XCTAssertThrowsError(try Compilation(ir: ir, at: CompileFixture.at, policyName: "x").run(output: base + "/precious", format: .advanced)) { error in
            XCTAssertTrue("\(error)".contains("refusing to replace it"), "\(error)")
        }
        XCTAssertEqual(try String(contentsOfFile: base + "/precious/notes.txt", encoding: .utf8), "keep me")
    }

    static func ir(_ text: String, store: String) throws -> InfrastructureIR {
        let (_, result) = Fixtures.analyze(text)
        XCTAssertFalse(result.hasErrors)
        let keys = try ResolvedKeys.resolve(result.model, store: KeyStoreDirectory(directories: [store, PackagePaths.corpus("keys").path]),
                                            generateMissing: true)
        return InfrastructureIR(model: result.model, placement: Placer.place(result.model), keys: keys)
    }
}
