import Foundation
import RSA
import SPKI
import TestSupport
import XCTest
@testable import PolicyCompiler

/// `SigningPipeline` signs vpxi by vpxi on several threads while the writer writes the
/// vpxis already signed: the signatures must not depend on the number of threads, and a
/// failure must leave no output behind.
final class SigningPipelineTests: XCTestCase {
    func testTheSignaturesDoNotDependOnTheThreads() throws {
        for name in CompileFixture.examples {
            let ir = try CompileFixture.ir(name)
            let plan = CertPlanner(ir: ir).plan(at: CompileFixture.at)
            let one = try SigningPipeline(plan, signers: ir.keys.signers, threads: 1).finish()
            let three = try SigningPipeline(plan, signers: ir.keys.signers, threads: 3).finish()
            XCTAssertEqual(one.origins, three.origins, name)
            XCTAssertEqual(one.signatures.map { $0?.signature }, three.signatures.map { $0?.signature }, name)
            XCTAssertGreaterThan(one.count(.signed), 0, name)
            XCTAssertEqual(one.count(.signed), plan.certs.filter { ir.keys.signers[$0.issuer.key.id] != nil }.count, name)
            // Each vpxi's signatures, waited for one vpxi at a time, are the same.
            let pipeline = SigningPipeline(plan, signers: ir.keys.signers, threads: 2)
            var start = 0
            for v in plan.epochs.indices {
                var end = start
                while end < plan.certs.count, plan.certs[end].vpxi == v { end += 1 }
                let part = try XCTUnwrap(pipeline.signatures(ofVPXI: v, range: start..<end))
                for index in start..<end { XCTAssertEqual(part[index]?.signature, one.signatures[index]?.signature) }
                start = end
            }
            _ = try pipeline.finish()
            // Each signature verifies against its issuer's key, over the plan's bytes.
            for (index, signature) in one.signatures.enumerated() {
                let signature = try XCTUnwrap(signature)
                let key = try XCTUnwrap(ir.keys.signers[plan.certs[index].issuer.key.id])
                XCTAssertNoThrow(try signature.verify(canonical: plan.certs[index].canonical, key: RSAKeyFile(privateKey: key)))
            }
        }
    }

    /// An issuer whose key cannot sign (too small) fails the compilation with its name, and
    /// nothing is published: no output, no generation left in the store.
    func testASigningFailureLeavesNoOutput() throws {
        let ir = try CompileFixture.ir("two-registrars")
        let plan = CertPlanner(ir: ir).plan(at: CompileFixture.at)
        let victim = try XCTUnwrap(plan.certs.last { ir.keys.signers[$0.issuer.key.id] != nil }).issuer.key.id
        var keys = ir.keys
        // A 1024-bit key (loads for verifying, refuses to sign), made by OpenSSL.
        let openssl = try ExternalTool.require("openssl", package: "openssl")
        let pem = try ExternalTool.run(openssl, ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"]).stdout
        keys.signers[victim] = try XCTUnwrap(RSAKeyFile.load(pem).privateKey)
        let broken = InfrastructureIR(model: ir.model, placement: ir.placement, keys: keys)
        let directory = try CompileFixture.temporaryDirectory(self)
        let output = directory + "/out"
        XCTAssertThrowsError(try Compilation(ir: broken, at: CompileFixture.at, policyName: "two-registrars.vp")
            .run(output: output, format: .advanced)) { error in
            XCTAssertTrue("\(error)".contains("cannot sign as"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        let store = try FileManager.default.contentsOfDirectory(atPath: directory + "/.out.spkic")
        XCTAssertFalse(store.contains { $0.hasPrefix("gen-") }, "\(store)")
    }
}
