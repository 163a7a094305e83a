import Diagnostics
import Foundation
import PolicyLanguage
import XCTest
@testable import PolicyCompiler

/// Runs the compiler's stages on a policy, as far as its diagnostics need.
enum StageRunner {
    /// The diagnostics of semantic analysis and placement (what `spkic check` reports).
    static func diagnostics(path: String, text: String) throws -> (PolicyLoader.Loaded, [Diagnostic]) {
        let loaded = PolicyLoader(read: Fixtures.read).load([path])
        let analysis = PolicyAnalysis.analyze(root: path, in: loaded, keys: Fixtures.keyLoader)
        return (loaded, analysis.diagnostics)
    }
}
