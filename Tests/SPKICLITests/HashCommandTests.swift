import Foundation
import TestSupport
import XCTest

final class HashCommandTests: XCTestCase {
    func testHashPerTopLevelExpression() throws {
        let result = try SPKITool.run(["hash"], input: "(a) (b)")
        XCTAssertEqual(result.status, 0, result.stderrText)
        let lines = result.stdoutText.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines.allSatisfy { $0.hasPrefix("(hash sha256 |") && $0.hasSuffix("|)") })
    }

    func testHexDigestsAreOverCanonicalBytes() throws {
        // Digests of "(1:a)" from sha256sum and md5sum.
        let advanced = try SPKITool.run(["hash", "--hex"], input: "( a )")
        let canonical = try SPKITool.run(["hash", "--hex"], input: "(1:a)")
        XCTAssertEqual(advanced.stdout, canonical.stdout)
        XCTAssertEqual(canonical.stdoutText, "e4eff4a2db39e6b96836fac9d8717537a467e9a3005841f1d4c43c25b299b676\n")
        let md5 = try SPKITool.run(["hash", "--alg", "md5", "--hex"], input: "(1:a)")
        XCTAssertEqual(md5.stdoutText, "c3806ab9af817a32409e3ced7ee44132\n")
    }

    /// sexp-conv --hash also prints the hash of the empty string for each comment, so it
    /// is given its own canonical conversion of the file (which drops comments).
    func testAgreesWithSexpConvOnTheCorpus() throws {
        let tool = try ExternalTool.require("sexp-conv", package: "nettle-bin")
        let files = try FileManager.default.contentsOfDirectory(at: PackagePaths.corpus("sexp"), includingPropertiesForKeys: nil)
        XCTAssertFalse(files.isEmpty)
        for url in files {
            let converted = try ExternalTool.run(tool, ["-s", "canonical"], input: try Array(Data(contentsOf: url)))
            XCTAssertEqual(converted.status, 0, converted.stderrText)
            for alg in ["sha256", "sha1", "md5"] {
                let ours = try SPKITool.run(["hash", "--alg", alg, "--hex", url.path])
                XCTAssertEqual(ours.status, 0, ours.stderrText)
                let theirs = try ExternalTool.run(tool, ["--hash=\(alg)"], input: converted.stdout)
                XCTAssertEqual(theirs.status, 0, theirs.stderrText)
                XCTAssertEqual(ours.stdoutText.split(separator: "\n").map(String.init),
                               theirs.stdoutText.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) },
                               "\(alg) of \(url.lastPathComponent)")
            }
        }
    }

    func testUnknownAlgorithm() throws {
        let result = try SPKITool.run(["hash", "--alg", "sha3"], input: "(a)")
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stderrText, "error: unknown hash algorithm `sha3`; use one of sha256, sha512, sha1, md5\n")
    }
}
