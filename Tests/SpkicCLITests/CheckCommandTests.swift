import Foundation
import TestSupport
import XCTest

final class CheckCommandTests: XCTestCase {
    private let okFile = "corpus/policies/ok/bronze-standard.vp"
    private let errFile = "corpus/policies/err/E0014-unknown-property.vp"

    func testCleanPolicyExitsZeroSilently() throws {
        let output = try SpkicRunner.run(["check", okFile, "corpus/policies/ok/with-include.vp"])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(output.stdout, "")
        XCTAssertEqual(output.stderr, "")
    }

    func testErrorsExitOneWithTheHumanForm() throws {
        let output = try SpkicRunner.run(["check", errFile])
        XCTAssertEqual(output.status, 1)
        XCTAssertTrue(output.stderr.contains("error[E0014]: unknown host property `cpu`"), output.stderr)
        XCTAssertTrue(output.stderr.contains(" --> \(errFile):3:3"), output.stderr)
        XCTAssertTrue(output.stderr.contains("= help: did you mean `cpus`?"), output.stderr)
        XCTAssertFalse(output.stderr.contains("\u{1B}["), "colour when not on a terminal")
        XCTAssertTrue(output.stderr.hasSuffix("error: 1 error found\n"))
    }

    func testUnreadableFileExitsTwo() throws {
        let output = try SpkicRunner.run(["check", "no/such/file.vp"])
        XCTAssertEqual(output.status, 2)
        XCTAssertTrue(output.stderr.contains("error: cannot read `no/such/file.vp`"), output.stderr)
    }

    func testJSONFormat() throws {
        let output = try SpkicRunner.run(["check", errFile, "--format", "json"])
        XCTAssertEqual(output.status, 1)
        let line = try XCTUnwrap(output.stdout.split(separator: "\n").first)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        XCTAssertEqual(object["code"] as? String, "E0014")
        XCTAssertEqual(object["line"] as? Int, 3)
    }

    func testGitHubFormat() throws {
        let output = try SpkicRunner.run(["check", errFile, "--format", "github"])
        XCTAssertEqual(output.status, 1)
        XCTAssertTrue(output.stdout.hasPrefix("::error file=\(errFile),line=3,col=3,"), output.stdout)
        XCTAssertTrue(output.stdout.contains("title=E0014::unknown host property `cpu`"))
    }

    func testSARIFValidatesAgainstTheSchema() throws {
        let files = ["corpus/policies/err/E0013-unclosed-block.vp", errFile, "corpus/policies/err/E0046-include-cycle.vp"]
        let output = try SpkicRunner.run(["check", "--format", "sarif"] + files)
        XCTAssertEqual(output.status, 1)
        let document = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let run = try XCTUnwrap((document["runs"] as? [[String: Any]])?.first)
        XCTAssertEqual((run["results"] as? [Any])?.count, 3)
        try SchemaValidator.validate(output.stdout, against: SchemaValidator.sarif)
        XCTAssertFalse(output.stdout.contains("github.com/spkic"), "no invented address")
    }

    func testStandardInputAndMaxErrors() throws {
        let input = String(repeating: "community\n", count: 10)
        let output = try SpkicRunner.run(["check", "-", "--max-errors", "3", "--format", "json"], stdin: input)
        XCTAssertEqual(output.status, 1)
        XCTAssertEqual(output.stdout.split(separator: "\n").count, 3)
        XCTAssertTrue(output.stdout.contains("\"file\":\"<stdin>\""))
        let human = try SpkicRunner.run(["check", "-", "--max-errors", "3"], stdin: input)
        XCTAssertTrue(human.stderr.contains("note: stopped checking `<stdin>` after 3 errors"), human.stderr)
    }

    func testBadUsageExitsTwo() throws {
        let output = try SpkicRunner.run(["check", okFile, "--format", "xml"])
        XCTAssertEqual(output.status, 2)
        let none = try SpkicRunner.run(["check"])
        XCTAssertEqual(none.status, 2)
        XCTAssertTrue(none.stderr.contains("Missing expected argument"), none.stderr)
        XCTAssertEqual(try SpkicRunner.run(["fmt"]).status, 2)
    }
}
