import XCTest

/// `spkic --help` and the help of each subcommand show examples.
final class HelpTests: XCTestCase {
    func testEveryHelpShowsExamples() throws {
        for arguments in [["--help"], ["check", "--help"], ["fmt", "--help"], ["lint", "--help"], ["help", "check"]] {
            let output = try SpkicRunner.run(arguments)
            XCTAssertEqual(output.status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(output.stdout.contains("Examples:"), "no examples in `spkic \(arguments.joined(separator: " "))`")
            XCTAssertTrue(output.stdout.contains("spkic "), arguments.joined(separator: " "))
        }
    }

    func testVersion() throws {
        let output = try SpkicRunner.run(["--version"])
        XCTAssertEqual(output.status, 0)
        XCTAssertEqual(output.stdout, "0.1.0\n")
    }
}
