import Foundation
import XCTest

final class FormatCommandTests: XCTestCase {
    private let messy = "host a {cpus 1    memory 1 GiB}  # comment\n\n\ncommunity b\n"
    private let canonical = "host a { cpus 1 memory 1 GiB }  # comment\n\ncommunity b\n"

    func testPrintsTheFormattedPolicy() throws {
        let output = try SpkicRunner.run(["fmt", "-"], stdin: messy)
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(output.stdout, canonical)
    }

    func testCheckExitsOneWithADiffLikeSummary() throws {
        let directory = try SpkicRunner.temporaryDirectory()
        try messy.write(to: directory.appendingPathComponent("messy.vp"), atomically: true, encoding: .utf8)
        try canonical.write(to: directory.appendingPathComponent("clean.vp"), atomically: true, encoding: .utf8)
        let output = try SpkicRunner.run(["fmt", "--check", "messy.vp", "clean.vp"], in: directory)
        XCTAssertEqual(output.status, 1)
        XCTAssertTrue(output.stdout.hasPrefix("would reformat messy.vp\n"), output.stdout)
        XCTAssertTrue(output.stdout.contains("-host a {cpus 1    memory 1 GiB}  # comment\n"))
        XCTAssertTrue(output.stdout.contains("+host a { cpus 1 memory 1 GiB }  # comment\n"))
        XCTAssertFalse(output.stdout.contains("clean.vp"))
        // --check changes nothing.
        XCTAssertEqual(try String(contentsOf: directory.appendingPathComponent("messy.vp"), encoding: .utf8), messy)
        let clean = try SpkicRunner.run(["fmt", "--check", "clean.vp"], in: directory)
        XCTAssertEqual(clean.status, 0)
        XCTAssertEqual(clean.stdout, "")
    }

    func testWriteRewritesInPlaceIdempotently() throws {
        let directory = try SpkicRunner.temporaryDirectory()
        let file = directory.appendingPathComponent("p.vp")
        try messy.write(to: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(try SpkicRunner.run(["fmt", "-w", "p.vp"], in: directory).status, 0)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), canonical)
        XCTAssertEqual(try SpkicRunner.run(["fmt", "--write", "p.vp"], in: directory).status, 0)
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), canonical)
    }

    func testWriteThroughASymbolicLinkRewritesTheFileItNames() throws {
        let directory = try SpkicRunner.temporaryDirectory()
        let subdirectory = directory.appendingPathComponent("policies")
        try FileManager.default.createDirectory(at: subdirectory, withIntermediateDirectories: true)
        let file = subdirectory.appendingPathComponent("p.vp")
        try messy.write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: file.path)
        let link = directory.appendingPathComponent("link.vp")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "policies/p.vp")
        let output = try SpkicRunner.run(["fmt", "-w", "link.vp"], in: directory)
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link.path), "policies/p.vp")
        XCTAssertEqual(try String(contentsOf: file, encoding: .utf8), canonical)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o640)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: subdirectory.path), ["p.vp"])
    }

    func testSyntaxErrorsExitTwoAndFormatNothing() throws {
        let output = try SpkicRunner.run(["fmt", "corpus/policies/err/E0014-unknown-property.vp"])
        XCTAssertEqual(output.status, 2)
        XCTAssertEqual(output.stdout, "")
        XCTAssertTrue(output.stderr.contains("error[E0014]"))
    }

    func testCheckAndWriteTogetherAreAUsageError() throws {
        XCTAssertEqual(try SpkicRunner.run(["fmt", "--check", "-w", "x.vp"]).status, 2)
    }

    func testTheWholeOKCorpusIsCanonical() throws {
        let directory = SpkicRunner.packageRoot.appendingPathComponent("corpus/policies/ok")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".vp") }.sorted()
        XCTAssertFalse(files.isEmpty)
        let output = try SpkicRunner.run(["fmt", "--check"] + files, in: directory)
        XCTAssertEqual(output.status, 0, output.stdout + output.stderr)
    }
}
