import ToolSupport
import XCTest

final class FailureReportTests: XCTestCase {
    private struct Unexpected: Error {}
    private struct Refusal: Error {}

    func testCommandFailureKeepsItsStatusAndMessage() {
        let (message, status) = FailureReport.describe(CommandFailure(.refused, "no authorization"), tool: "spki")
        XCTAssertEqual(message, "error: no authorization")
        XCTAssertEqual(status, .refused)
    }

    func testFileErrorIsBadInput() {
        let error = FileError(code: .cannotRead, path: "/nonexistent/x", reason: "No such file or directory")
        let (message, status) = FailureReport.describe(error, tool: "spki")
        XCTAssertTrue(message.hasPrefix("error: "), message)
        XCTAssertTrue(message.contains("/nonexistent/x"), message)
        XCTAssertEqual(status, .badInput)
    }

    func testAnythingElseIsAnInternalErrorNamingTheTool() {
        let (message, status) = FailureReport.describe(Unexpected(), tool: "vpxi-agent")
        XCTAssertEqual(status, .internalError)
        XCTAssertTrue(message.contains("This is a bug in vpxi-agent"), message)
    }

    func testTheToolClassifiesItsOwnErrorsFirst() {
        let classify: (any Error) -> FailureReport.Classification? = { error in
            error is Refusal ? ("error[A013]: refused", .refused) : nil
        }
        XCTAssertEqual(FailureReport.describe(Refusal(), tool: "t", classify: classify).status, .refused)
        XCTAssertEqual(FailureReport.describe(Refusal(), tool: "t", classify: classify).message, "error[A013]: refused")
        XCTAssertEqual(FailureReport.describe(Unexpected(), tool: "t", classify: classify).status, .internalError)
    }
}
