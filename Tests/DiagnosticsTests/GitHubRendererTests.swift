import XCTest
@testable import Diagnostics

final class GitHubRendererTests: XCTestCase {
    func testWorkflowCommandWithEscapes() {
        let (sources, diagnostic) = RendererFixture.make()
        let output = GitHubRenderer().render([diagnostic], sources: sources)
        XCTAssertEqual(output, "::error file=study.vp,line=3,col=9,endLine=3,endColumn=14,title=E9021::unknown user `alcie`%0Ahelp: did you mean `alice`?\n")
    }

    func testPropertiesEscapeCommasAndColons() {
        XCTAssertEqual(GitHubRenderer.escapeProperty("a,b:c%"), "a%2Cb%3Ac%25")
    }

    func testWarningsAndInfosUseTheirCommands() {
        var (sources, diagnostic) = RendererFixture.make()
        _ = sources
        diagnostic.severity = .warning
        XCTAssertTrue(GitHubRenderer().render([diagnostic], sources: sources).hasPrefix("::warning "))
        diagnostic.severity = .info
        XCTAssertTrue(GitHubRenderer().render([diagnostic], sources: sources).hasPrefix("::notice "))
    }
}
