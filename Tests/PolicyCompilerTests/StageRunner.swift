import Diagnostics
import Foundation
import PolicyLanguage
import TestSupport
import XCTest
@testable import PolicyCompiler

/// Runs the compiler's stages on a policy, as far as its diagnostics need.
enum StageRunner {
    /// When a file's `--at` is written in a comment (`--at 2027-01-01T00:00Z`), the
    /// compilation time; otherwise the start of the examples' windows.
    static func time(in text: String) -> Int64 {
        guard let found = text.range(of: "--at ") else { return CompileFixture.at }
        let value = text[found.upperBound...].prefix { !$0.isWhitespace }
        return (try? TimeWindowParsing.parse(String(value))) ?? CompileFixture.at
    }

    /// The diagnostics of semantic analysis and placement (what `spkic check` reports),
    /// and when those are clean, of compilation: policy tests (E0130) and warnings (W0131),
    /// with machine keys generated in a temporary store.
    static func diagnostics(path: String, text: String, test: XCTestCase) throws -> (PolicyLoader.Loaded, [Diagnostic]) {
        let loaded = PolicyLoader(read: Fixtures.read).load([path])
        let analysis = PolicyAnalysis.analyze(root: path, in: loaded, keys: Fixtures.keyLoader)
        guard !analysis.hasErrors, let placement = analysis.placement else { return (loaded, analysis.diagnostics) }
        let store = KeyStoreDirectory(directories: [try CompileFixture.temporaryDirectory(test), PackagePaths.corpus("keys").path])
        let keys = try ResolvedKeys.resolve(analysis.model, store: store, generateMissing: true)
        let compilation = Compilation(ir: InfrastructureIR(model: analysis.model, placement: placement, keys: keys), at: time(in: text), policyName: path)
        let failures = ExpectationChecker.diagnostics(compilation.checkExpectations())
        return (loaded, analysis.diagnostics + failures + compilation.plan().1)
    }
}

/// `2027-01-01T00:00Z` and the other forms `--at` takes.
enum TimeWindowParsing {
    static func parse(_ text: String) throws -> Int64 {
        var chars = Array(text)
        if chars.count == 10 { chars += Array("T00:00:00Z") }
        if chars.count > 16, chars[16] != ":" { chars.insert(contentsOf: Array(":00"), at: 16) }
        return try SPKIDateParsing.rfc3339(String(chars))
    }
}

import SPKI

enum SPKIDateParsing {
    static func rfc3339(_ text: String) throws -> Int64 { try SPKIDate.parse(rfc3339: text).secondsSinceEpoch }
}
