import Diagnostics
import Foundation
import PolicyLanguage
import XCTest
@testable import PolicyCompiler

/// Runs the compiler's stages on a policy, as far as its diagnostics need.
enum StageRunner {
    /// The diagnostics of semantic analysis (and of the later stages, when analysis is
    /// clean and the stage applies).
    static func diagnostics(path: String, text: String) throws -> (PolicyLoader.Loaded, [Diagnostic]) {
        let (loaded, result) = Fixtures.analyze(path: path)
        return (loaded, result.diagnostics)
    }
}
