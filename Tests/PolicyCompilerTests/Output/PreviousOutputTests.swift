import Foundation
import XCTest
@testable import PolicyCompiler

final class PreviousOutputTests: XCTestCase {
    func testTheManifestIsReadBack() throws {
        let ir = try CompileFixture.ir("secondary-user")
        let output = try CompileFixture.temporaryDirectory(self) + "/out"
        let result = try Compilation(ir: ir, at: CompileFixture.at, policyName: "s").run(output: output, format: .advanced)
        let previous = try XCTUnwrap(try PreviousOutput.load(output))
        XCTAssertEqual(previous.signedCerts, Set(result.plan.certs.map(\.hex)))
        XCTAssertEqual(previous.chains.count, result.plan.chains.count)
        XCTAssertTrue(previous.chains.values.allSatisfy(\.complete))
        XCTAssertEqual(previous.acls.count, 5)
        XCTAssertEqual(previous.version, Manifest.version)
        let signatures = previous.signatures(ofVPXI: ir.model.vpxis[0].name)
        XCTAssertEqual(Set(signatures.keys), Set(result.plan.certs.map(\.digest)), "every cert's signature, by the digest it covers")
        XCTAssertTrue(previous.signatures(ofVPXI: "no-such-vpxi").isEmpty)
        let planned = result.plan.certs[0]
        XCTAssertNil(previous.legacySignedCert(planned.hex, digest: planned.digest), "no file per cert in a version 2 output")
        XCTAssertNil(try PreviousOutput.load(output + "-missing"))
    }

    func testAnEmptyDirectoryIsAFreshOutput() throws {
        let directory = try CompileFixture.temporaryDirectory(self)
        let previous = try XCTUnwrap(try PreviousOutput.load(directory))
        XCTAssertTrue(previous.signedCerts.isEmpty)
    }
}
