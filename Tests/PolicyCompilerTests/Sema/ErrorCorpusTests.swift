import Diagnostics
import Foundation
import PolicyLanguage
import TestSupport
import XCTest
@testable import PolicyCompiler

/// `corpus/policies/err/E01xx-*.vp`: each gives exactly the diagnostics marked on its
/// lines (`# error[E0100]`), and every code of `SemanticError` has its file and page.
final class ErrorCorpusTests: XCTestCase {
    static func compilerFiles() throws -> [URL] {
        try PackagePaths.corpusFiles("policies/err", extension: "vp").filter {
            let code = $0.lastPathComponent.prefix(5)
            return SemanticError(rawValue: String(code)) != nil
        }
    }

    /// (line, code) pairs marked `error[CODE]` or `warning[CODE]`.
    static func markers(in text: String) -> [String] {
        var markers: [String] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            for kind in ["error[", "warning["] {
                var rest = Substring(line)
                while let found = rest.range(of: kind), let close = rest[found.upperBound...].firstIndex(of: "]") {
                    markers.append("\(index + 1): \(rest[found.upperBound..<close])")
                    rest = rest[close...]
                }
            }
        }
        return markers.sorted()
    }

    func testEveryCompilerErrorPolicyGivesExactlyItsMarkedDiagnostics() throws {
        let files = try Self.compilerFiles()
        XCTAssertGreaterThanOrEqual(files.count, 18)
        for url in files {
            let text = try String(contentsOf: url, encoding: .utf8)
            let expected = Self.markers(in: text)
            XCTAssertFalse(expected.isEmpty, "\(url.lastPathComponent) marks nothing")
            let (loaded, diagnostics) = try StageRunner.diagnostics(path: url.path, text: text, test: self)
            XCTAssertFalse(loaded.diagnostics.hasErrors, "\(url.lastPathComponent) has syntax errors")
            let actual = diagnostics.map { diagnostic in
                "\(loaded.sources[diagnostic.range.file].location(of: diagnostic.range.start).line): \(diagnostic.code.rawValue)"
            }.sorted()
            XCTAssertEqual(actual, expected, "\(url.lastPathComponent):\n" + Fixtures.render(diagnostics, loaded))
            for diagnostic in diagnostics {
                XCTAssertFalse(diagnostic.message.hasSuffix("."), diagnostic.message)
                XCTAssertEqual(diagnostic.message.first.map { String($0).lowercased() }, diagnostic.message.first.map { String($0) })
                XCTAssertNotNil(diagnostic.help, "`\(diagnostic.message)` has no help")
            }
        }
    }

    func testEveryCodeHasAnErrorPolicyAndAPage() throws {
        let names = Set(try PackagePaths.corpusFiles("policies/err", extension: "vp").map(\.lastPathComponent))
        for error in SemanticError.allCases {
            XCTAssertTrue(names.contains("\(error.rawValue)-\(error.name).vp"), "missing corpus/policies/err/\(error.rawValue)-\(error.name).vp")
            let page = PackagePaths.root.appendingPathComponent("Docs/diagnostics/\(error.rawValue).md")
            let text = (try? String(contentsOf: page, encoding: .utf8)) ?? ""
            XCTAssertTrue(text.contains("# \(error.rawValue)"), "Docs/diagnostics/\(error.rawValue).md is missing or lacks its title")
        }
    }

    func testCodesDoNotCollideWithTheFrontEnd() {
        let syntax = Set(SyntaxError.allCases.map(\.rawValue))
        for error in SemanticError.allCases {
            XCTAssertFalse(syntax.contains(error.rawValue), error.rawValue)
            XCTAssertGreaterThanOrEqual(Int(error.rawValue.dropFirst()) ?? 0, 100)
        }
    }
}
