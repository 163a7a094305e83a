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
        let planned = result.plan.certs[0]
        XCTAssertEqual(previous.signedCert(planned.hex, digest: planned.digest)?.digest, planned.digest)
        XCTAssertNil(previous.signedCert(planned.hex, digest: result.plan.certs[1].digest), "a file for another cert is refused")
        XCTAssertNil(try PreviousOutput.load(output + "-missing"))
    }

    func testAnEmptyDirectoryIsAFreshOutput() throws {
        let directory = try CompileFixture.temporaryDirectory(self)
        let previous = try XCTUnwrap(try PreviousOutput.load(directory))
        XCTAssertTrue(previous.signedCerts.isEmpty)
    }
}
