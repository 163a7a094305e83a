import Foundation
import TestSupport
import XCTest

final class ConvertCommandTests: XCTestCase {
    func testDefaultIsAdvanced() throws {
        let result = try SPKITool.run(["convert"], input: "(4:cert(6:issuer3:bob)[4:text]5:hello)")
        XCTAssertEqual(result.status, 0, result.stderrText)
        XCTAssertEqual(result.stdoutText, "(cert (issuer bob) [text]hello)\n")
    }

    func testEveryFormFromAFile() throws {
        let file = PackagePaths.corpus("sexp").appendingPathComponent("certificate.sexp").path
        let canonical = try SPKITool.run(["convert", "--to", "canonical", file])
        XCTAssertEqual(canonical.status, 0, canonical.stderrText)
        let transport = try SPKITool.run(["convert", "--to", "transport", "--width", "0", file])
        XCTAssertEqual(transport.stdoutText.filter { $0 == "\n" }.count, 1)
        let back = try SPKITool.run(["convert", "--to", "canonical", "-"], input: transport.stdout)
        XCTAssertEqual(back.stdout, canonical.stdout)
        let advanced = try SPKITool.run(["convert", "--width", "30", file])
        let again = try SPKITool.run(["convert", "--to", "canonical"], input: advanced.stdout)
        XCTAssertEqual(again.stdout, canonical.stdout)
    }

    func testOutputFileIsWrittenAtomically() throws {
        let directory = try SPKITool.temporaryDirectory(self)
        let output = directory.appendingPathComponent("out.canon").path
        let ok = try SPKITool.run(["convert", "--to", "canonical", "-o", output], input: "(a b)")
        XCTAssertEqual(ok.status, 0, ok.stderrText)
        XCTAssertEqual(try String(contentsOfFile: output, encoding: .utf8), "(1:a1:b)")
        // A failing run leaves the previous output untouched and no temporary files.
        let bad = try SPKITool.run(["convert", "--to", "canonical", "-o", output], input: "(a b")
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(try String(contentsOfFile: output, encoding: .utf8), "(1:a1:b)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["out.canon"])
    }

    func testMalformedInputExitsTwoWithLocation() throws {
        let directory = try SPKITool.temporaryDirectory(self)
        let file = directory.appendingPathComponent("bad.sexp")
        try Data(("(cert\n  (issuer 12:short))").utf8).write(to: file)
        let result = try SPKITool.run(["convert", file.path])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, [])
        XCTAssertEqual(result.stderrText,
                       "error: \(file.path):2:11: length 12 at offset 16 runs past the end of the input (7 bytes left) (offset 16, S003)\n")
    }

    func testUnreadableInputAndBadUsage() throws {
        let missing = try SPKITool.run(["convert", "/nonexistent/file.sexp"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderrText.contains("cannot read `/nonexistent/file.sexp`"), missing.stderrText)
        let directory = try SPKITool.run(["convert", "/"])
        XCTAssertEqual(directory.status, 2)
        XCTAssertTrue(directory.stderrText.contains("it is a directory"), directory.stderrText)
        let form = try SPKITool.run(["convert", "--to", "yaml"], input: "(a)")
        XCTAssertNotEqual(form.status, 0)
        let empty = try SPKITool.run(["convert"], input: "")
        XCTAssertEqual(empty.status, 2)
        XCTAssertTrue(empty.stderrText.contains("the input is empty"), empty.stderrText)
    }

    func testUnwritableOutputIsAnError() throws {
        let result = try SPKITool.run(["convert", "-o", "/nonexistent/dir/out"], input: "(a)")
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderrText.contains("/nonexistent/dir/out"), result.stderrText)
    }

    func testAPrivateKeyKeepsItsProtection() throws {
        let directory = try SPKITool.temporaryDirectory(self)
        let key = PackagePaths.corpus("keys/alice.key").path
        // Written to a file: 0600, whatever the form.
        for form in ["canonical", "advanced", "transport"] {
            let out = directory.appendingPathComponent("alice.\(form)").path
            let result = try SPKITool.run(["convert", "--to", form, key, "-o", out])
            XCTAssertEqual(result.status, 0, result.stderrText)
            let mode = try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? NSNumber
            XCTAssertEqual(mode?.intValue, 0o600, form)
        }
        // Anything else: the default mode.
        let pub = directory.appendingPathComponent("erin.pub").path
        XCTAssertEqual(try SPKITool.run(["convert", PackagePaths.corpus("policies/ok/keys/erin.pub").path, "-o", pub]).status, 0)
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: pub)[.posixPermissions] as? NSNumber)?.intValue, 0o644)
        // Not on a terminal.
        let script = try ExternalTool.require("script", package: "bsdutils")
        let onTerminal = try ExternalTool.run(script, ["-qec", "'\(SPKITool.path)' convert '\(key)'", "/dev/null"])
        XCTAssertEqual(onTerminal.status, 2, onTerminal.stdoutText)
        XCTAssertTrue(onTerminal.stdoutText.contains("refusing to print a private key on a terminal"), onTerminal.stdoutText)
        XCTAssertFalse(onTerminal.stdoutText.contains("(private-key"), onTerminal.stdoutText)
    }
}
