import Diagnostics
import Foundation
import XCTest
@testable import PolicyLanguage

/// Runs the whole corpus: `ok/` files are clean, `err/` files give exactly the
/// diagnostics marked on their lines.
final class CorpusTests: XCTestCase {
    func testTheOKCorpusHasTheRequiredPolicies() {
        let names = Set(Corpus.files("ok").map(\.lastPathComponent))
        for required in ["bronze-standard.vp", "two-registrars.vp", "secondary-user.vp", "large-pool.vp"] {
            XCTAssertTrue(names.contains(required), "missing corpus/policies/ok/\(required)")
        }
    }

    func testEveryOKPolicyParsesWithoutDiagnostics() {
        let files = Corpus.files("ok")
        XCTAssertFalse(files.isEmpty)
        for url in files {
            let loaded = PolicyLoader(read: Corpus.read).load([url.path])
            XCTAssertTrue(loaded.unreadable.isEmpty)
            let rendered = HumanRenderer().render(loaded.diagnostics, sources: loaded.sources)
            XCTAssertTrue(loaded.diagnostics.isEmpty, "\(url.lastPathComponent):\n\(rendered)")
        }
    }

    func testEveryErrorPolicyGivesExactlyItsMarkedDiagnostics() throws {
        let files = Corpus.files("err")
        XCTAssertGreaterThanOrEqual(files.count, 40)
        for url in files {
            let bytes = try XCTUnwrap(FileManager.default.contents(atPath: url.path))
            let expected = Corpus.expectedMarkers(in: [UInt8](bytes))
            XCTAssertFalse(expected.isEmpty, "\(url.lastPathComponent) marks no diagnostic")
            let loaded = PolicyLoader(read: Corpus.read).load([url.path])
            let actual = loaded.diagnostics.filter { $0.range.file == loaded.files[0].source.id }.map { diagnostic in
                Corpus.Marker(line: loaded.sources[diagnostic.range.file].location(of: diagnostic.range.start).line,
                              code: diagnostic.code.rawValue)
            }.sorted()
            XCTAssertEqual(actual, expected, "\(url.lastPathComponent):\n"
                + HumanRenderer().render(loaded.diagnostics, sources: loaded.sources))
        }
    }

    func testEveryCodeHasAnErrorPolicyNamedAfterIt() {
        let names = Set(Corpus.files("err").map(\.lastPathComponent))
        for error in SyntaxError.allCases {
            XCTAssertTrue(names.contains("\(error.rawValue)-\(error.name).vp"),
                          "missing corpus/policies/err/\(error.rawValue)-\(error.name).vp")
        }
    }

    func testEveryCodeHasADocumentationPage() throws {
        for error in SyntaxError.allCases {
            let page = Corpus.packageRoot.appendingPathComponent("Docs/diagnostics/\(error.rawValue).md")
            let text = try String(contentsOf: page, encoding: .utf8)
            XCTAssertTrue(text.contains("# \(error.rawValue)"), "\(page.lastPathComponent) lacks its title")
            XCTAssertTrue(text.contains("```"), "\(page.lastPathComponent) lacks an example")
            XCTAssertTrue(text.lowercased().contains("fix"), "\(page.lastPathComponent) lacks the fix")
        }
    }

    func testCodesAreUniqueAndWellFormed() {
        let codes = SyntaxError.allCases.map(\.rawValue)
        XCTAssertEqual(Set(codes).count, codes.count)
        for code in codes {
            XCTAssertTrue(code.hasPrefix("E") && code.count == 5 && Int(code.dropFirst()) != nil, code)
        }
        XCTAssertEqual(SyntaxError.invalidUTF8.name, "invalid-utf8")
        XCTAssertEqual(SyntaxError.outsideVPXI.name, "outside-vpxi")
    }

    func testDiagnosticMessagesFollowTheStyle() throws {
        for url in Corpus.files("err") {
            let loaded = PolicyLoader(read: Corpus.read).load([url.path])
            for diagnostic in loaded.diagnostics {
                let message = diagnostic.message
                XCTAssertFalse(message.hasSuffix("."), "\(url.lastPathComponent): final period in `\(message)`")
                XCTAssertEqual(message.first.map { String($0) }, message.first.map { String($0).lowercased() },
                               "\(url.lastPathComponent): `\(message)` does not start lowercase")
                XCTAssertNotNil(diagnostic.help, "\(url.lastPathComponent): `\(message)` has no help")
            }
        }
    }
}
