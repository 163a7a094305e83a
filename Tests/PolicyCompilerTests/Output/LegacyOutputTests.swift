import Foundation
import SExpr
import XCTest
@testable import PolicyCompiler

/// Compiling over an output of manifest version 1 (a file per cert, `certs/<sha256>.cert`,
/// and a file per chain): its signatures are reused, and what it leaves is removed.
final class LegacyOutputTests: XCTestCase {
    func testAVersionOneOutputIsReadAndReplaced() throws {
        let ir = try CompileFixture.ir("secondary-user")
        let base = try CompileFixture.temporaryDirectory(self)
        let output = base + "/out"
        let first = try Compilation(ir: ir, at: CompileFixture.at, policyName: "s").run(output: output, format: .advanced)
        let expected = try CompileFixture.files(output)
        try Self.downgrade(output, certs: try CompileFixture.packedCerts(expected), plan: first.plan)
        XCTAssertEqual(try PreviousOutput.load(output)?.version, "1")

        let second = try Compilation(ir: ir, at: CompileFixture.at, policyName: "s").run(output: output, format: .advanced)
        XCTAssertEqual(second.signing.count(.reused), first.plan.certs.count, "every signature is read back from its own file")
        XCTAssertEqual(second.signing.count(.signed), 0)
        XCTAssertEqual(try CompileFixture.files(output), expected, "the same output as a fresh compilation")
        let pool = try FileManager.default.contentsOfDirectory(atPath: base + "/.out.spkic/pool/certs")
        XCTAssertFalse(pool.contains { $0.hasSuffix(".cert") }, "the per-cert files are gone: \(pool)")
    }

    /// Rewrites an output of this spkic the way spkic 1 laid it out: `certs` a link to the
    /// pool's directory of `<sha256>.cert` files, the manifest's version and cert files.
    static func downgrade(_ output: String, certs: [[UInt8]: (signature: SExpr, file: String)], plan: CertPlan) throws {
        let manager = FileManager.default
        let generation = try manager.destinationOfSymbolicLink(atPath: output)
        let root = (output as NSString).deletingLastPathComponent + "/" + generation
        let pool = (output as NSString).deletingLastPathComponent + "/.out.spkic/pool/certs"
        for planned in plan.certs {
            let signature = try XCTUnwrap(certs[planned.canonical]).signature
            let sequence: SExpr = .list(["sequence", try SExpr.parse(planned.canonical), signature])
            try Data(sequence.advanced().utf8).write(to: URL(fileURLWithPath: pool + "/\(planned.hex).cert"))
        }
        try manager.removeItem(atPath: root + "/certs")
        try manager.createSymbolicLink(atPath: root + "/certs", withDestinationPath: "../pool/certs")
        var manifest = try String(contentsOfFile: root + "/manifest", encoding: .utf8)
        manifest = manifest.replacingOccurrences(of: "(version \"\(Manifest.version)\")", with: "(version \"1\")")
        try manifest.write(toFile: root + "/manifest", atomically: false, encoding: .utf8)
    }
}
