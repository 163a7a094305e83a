import XCTest
@testable import Diagnostics

final class HumanRendererTests: XCTestCase {
    func testCaretUnderTheRangeWithLabelNotesAndHelp() {
        let (sources, diagnostic) = RendererFixture.make()
        let expected = """
            error[E9021]: unknown user `alcie`
             --> study.vp:3:9
              |
            3 |   grant alcie ssh on worker
              |         ^^^^^ not declared
            note: `alice` is declared here
             --> study.vp:1:6
              |
            1 | user alice key "keys/alice.pub"
              |      ^^^^^
              = help: did you mean `alice`?

            """
        XCTAssertEqual(HumanRenderer(colour: false).render([diagnostic], sources: sources), expected)
    }

    func testColourOnlyWhenAsked() {
        let (sources, diagnostic) = RendererFixture.make()
        XCTAssertFalse(HumanRenderer(colour: false).render([diagnostic], sources: sources).contains("\u{1B}["))
        XCTAssertTrue(HumanRenderer(colour: true).render([diagnostic], sources: sources).contains("\u{1B}[1;31merror[E9021]"))
    }

    func testTabsKeepTheCaretAligned() {
        var sources = SourceManager()
        let file = sources.add(name: "t.vp", text: "\tcpus x\n")
        let diagnostic = Diagnostic(code: DiagnosticCode("E0025"), message: "m", range: SourceRange(file: file.id, start: 6, end: 7))
        let rendered = HumanRenderer().render([diagnostic], sources: sources)
        XCTAssertTrue(rendered.contains("  | \t     ^\n"), rendered)
    }

    func testEmptyRangeGetsOneCaret() {
        var sources = SourceManager()
        let file = sources.add(name: "e.vp", text: "community\n")
        let diagnostic = Diagnostic(code: DiagnosticCode("E0011"), message: "m", range: SourceRange(file: file.id, at: 9))
        XCTAssertTrue(HumanRenderer().render([diagnostic], sources: sources).contains("|          ^\n"))
    }
}
