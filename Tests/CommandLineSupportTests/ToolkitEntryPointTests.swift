import ArgumentParser
import CommandLineSupport
import TestSupport
import ToolSupport
import XCTest

/// Every command-line tool of the toolkit exits with 2 on a usage error (the
/// conventions' "bad input or usage"), not ArgumentParser's 64, prints what was
/// wrong and the usage line, and keeps 0 for `--help`.
final class ToolkitEntryPointTests: XCTestCase {
    private struct Probe: ParsableCommand {
        @Option var count: Int
    }

    func testUsageErrorsMapToBadInput() {
        for arguments in [["--count", "x"], [], ["--count", "1", "--bogus"]] {
            XCTAssertThrowsError(try Probe.parse(arguments)) { error in
                XCTAssertEqual(ToolkitEntryPoint.usageStatus(for: error, in: Probe.self), .badInput, "\(arguments)")
            }
        }
    }

    func testOtherOutcomesPassThrough() {
        XCTAssertThrowsError(try Probe.parse(["--help"])) { error in
            XCTAssertNil(ToolkitEntryPoint.usageStatus(for: error, in: Probe.self), "help is not a usage error")
        }
        XCTAssertNil(ToolkitEntryPoint.usageStatus(for: ExitCode(1), in: Probe.self), "a command's own status")
        XCTAssertNil(ToolkitEntryPoint.usageStatus(for: ExitCode.validationFailure, in: Probe.self),
                     "an ExitCode a command throws is its own answer")
    }

    func testEveryToolExitsWithTwoOnAUsageError() throws {
        let cases: [(tool: String, arguments: [String], mentions: String)] = [
            ("spki", ["--bogus"], "Unknown option '--bogus'"),
            ("spki", ["keygen", "--bits", "1024", "-o", "/nonexistent/k"], "--bits"),
            ("spkic", ["check"], "Missing expected argument"),
            ("vpxi-agent", ["--bogus"], "Unknown option '--bogus'"),
            ("vpxi-agent", ["check"], "Missing expected argument"),
            ("vpxi-registrar", ["serve", "--renewal-cache", "-1"], "--renewal-cache"),
            ("vpxi-registrar", ["--bogus"], "Unknown option '--bogus'"),
            ("spki-bench", ["rsa", "--bogus"], "Unknown option '--bogus'"),
        ]
        for item in cases {
            let result = try ExternalTool.run(PackagePaths.executable(item.tool), item.arguments)
            XCTAssertEqual(result.status, ExitStatus.badInput.rawValue, "\(item.tool) \(item.arguments): \(result.stderrText)")
            XCTAssertTrue(result.stderrText.contains(item.mentions), "\(item.tool) \(item.arguments): \(result.stderrText)")
            XCTAssertTrue(result.stderrText.contains("Usage:"), "the usage line is shown: \(result.stderrText)")
            XCTAssertTrue(result.stdoutText.isEmpty, "nothing on stdout for a usage error")
        }
        for tool in ["spki", "spkic", "vpxi-agent", "vpxi-registrar", "spki-bench"] {
            let help = try ExternalTool.run(PackagePaths.executable(tool), ["--help"])
            XCTAssertEqual(help.status, 0, "\(tool) --help")
            XCTAssertTrue(help.stdoutText.contains("USAGE"), "\(tool) --help prints its help")
        }
    }
}
