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

    func testMessagesCannotActOnTheTerminal() {
        // A name given on the command line, a path, a server's message: quoted as given,
        // but an escape sequence, a bidi override or a C1 control is shown, not sent.
        let name = "alice\u{1B}]0;owned\u{07}\u{1B}[31m"
        let (message, _) = FailureReport.describe(CommandFailure(.badInput, "`\(name)` is not a valid user name"), tool: "t")
        XCTAssertEqual(message, "error: `alice\u{241B}]0;owned\u{2407}\u{241B}[31m` is not a valid user name")
        let classify: (any Error) -> FailureReport.Classification? = { _ in ("error[R001]: `a\u{202E}b\u{85}c`\n  = help: x\ty", .badInput) }
        XCTAssertEqual(FailureReport.describe(Refusal(), tool: "t", classify: classify).message,
                       "error[R001]: `a<U+202E>b<U+0085>c`\n  = help: x\ty", "line breaks and tabs are kept")
        let file = FileError(code: .cannotRead, path: "/tmp/\u{1B}[2J", reason: "No such file or directory")
        XCTAssertFalse(FailureReport.describe(file, tool: "t").message.unicodeScalars.contains { $0.value == 0x1B })
    }

    func testTerminalTextLeavesPrintableTextAlone() {
        for text in ["", "plain", "tabs\tand\nlines", "é ü 中文 🙂", "`(tag (vm r1 ssh))`"] {
            XCTAssertEqual(TerminalText.visible(text), text)
        }
        // Every scalar below U+00A0 that is not printable is replaced; nothing else is.
        for value in UInt32(0)...0xFF {
            let scalar = Unicode.Scalar(value)!
            let shown = TerminalText.visible(String(scalar))
            let printable = value == 0x09 || value == 0x0A || (0x20...0x7E).contains(value) || value >= 0xA0
            XCTAssertEqual(shown == String(scalar), printable, "U+\(String(value, radix: 16))")
            XCTAssertFalse(shown.unicodeScalars.contains { $0.value < 0x20 && $0.value != 0x09 && $0.value != 0x0A || (0x7F...0x9F).contains($0.value) })
        }
    }
}
