import Foundation
@testable import Diagnostics

/// The example diagnostic of the conventions: an unknown user with a suggestion.
enum RendererFixture {
    static let text = """
        user alice key "keys/alice.pub"
        vpxi study {
          grant alcie ssh on worker
        }

        """

    static func make() -> (SourceManager, Diagnostic) {
        var sources = SourceManager()
        let file = sources.add(name: "study.vp", text: text)
        let start = UInt32(text.utf8.distance(from: text.utf8.startIndex, to: text.range(of: "alcie")!.lowerBound))
        let range = SourceRange(file: file.id, start: start, end: start + 5)
        let declared = SourceRange(file: file.id, start: 5, end: 10)
        let diagnostic = Diagnostic(
            code: DiagnosticCode("E9021"), message: "unknown user `alcie`", range: range, label: "not declared",
            notes: [Diagnostic.Note("`alice` is declared here", at: declared)],
            help: "did you mean `alice`?",
            fixIts: [.replace(range, with: "alice", "replace `alcie` with `alice`")])
        return (sources, diagnostic)
    }
}
