import Foundation
import PolicyLanguage
import TestSupport
import XCTest
@testable import PolicyCompiler

/// The incremental path's contract: re-running into an existing output after one grant
/// changed gives exactly the bytes a full run into an empty directory gives (property
/// test over the corpus policies, seeded random single-grant changes).
final class IncrementalEquivalenceTests: XCTestCase {
    /// One change to one grant line of a policy's text; nil when it does not apply.
    enum Change: CaseIterable {
        case addRight, removeGrant, narrowRange, widenToAll

        func apply(to line: String) -> String? {
            switch self {
            case .addRight:
                guard let on = line.range(of: " on ") else { return nil }
                return line.replacingCharacters(in: on, with: ", console on ")
            case .removeGrant:
                return ""
            case .narrowRange:
                // `[a..b]` → `[a..b-1]`, when that still names a machine.
                guard let open = line.range(of: "["), let dots = line.range(of: "..", range: open.upperBound..<line.endIndex),
                      let close = line.range(of: "]", range: dots.upperBound..<line.endIndex),
                      let low = Int(line[open.upperBound..<dots.lowerBound]), let high = Int(line[dots.upperBound..<close.lowerBound]),
                      high > low else { return nil }
                return line.replacingCharacters(in: dots.upperBound..<close.lowerBound, with: String(high - 1))
            case .widenToAll:
                guard let on = line.range(of: " on "), !line.hasSuffix(" on all") else { return nil }
                let rest = line[on.upperBound...]
                let window = rest.range(of: " during ").map { String(rest[$0.lowerBound...]) } ?? ""
                return String(line[..<on.upperBound]) + "all" + window
            }
        }
    }

    func testIncrementalOutputEqualsAFullRunAfterRandomSingleGrantChanges() throws {
        var generator = SeededGenerator(seed: 0x5EED_0006)
        var compared = 0
        var reused = 0
        for name in CompileFixture.examples {
            let path = Fixtures.policyPath("ok", "\(name).vp")
            let original = try String(contentsOfFile: path, encoding: .utf8)
            let lines = original.components(separatedBy: "\n")
            let grantLines = lines.indices.filter { lines[$0].trimmingCharacters(in: .whitespaces).hasPrefix("grant ") }
            XCTAssertFalse(grantLines.isEmpty, name)
            var tried = 0
            for _ in 0..<6 {
                let index = grantLines.randomElement(using: &generator)!
                let change = Change.allCases.randomElement(using: &generator)!
                guard let changedLine = change.apply(to: lines[index]) else { continue }
                var changedLines = lines
                changedLines[index] = changedLine
                let changed = changedLines.joined(separator: "\n")
                guard let changedIR = try Self.ir(path: path, text: changed) else { continue }
                let originalIR = try XCTUnwrap(try Self.ir(path: path, text: original))
                let base = try CompileFixture.temporaryDirectory(self)
                let context = "\(name): \(change) on line \(index + 1): `\(changedLine)`"
                // Original, then the change into the same output (incremental) and into an
                // empty one (full); and back again.
                _ = try Compilation(ir: originalIR, at: CompileFixture.at, policyName: name).run(output: base + "/incremental", format: .advanced)
                let incremental = try Compilation(ir: changedIR, at: CompileFixture.at, policyName: name).run(output: base + "/incremental", format: .advanced)
                let full = try Compilation(ir: changedIR, at: CompileFixture.at, policyName: name).run(output: base + "/full", format: .advanced)
                // Every cert signed, reused, or carried over with its unchanged vpxi.
                XCTAssertEqual(incremental.signing.count(.signed) + incremental.signing.count(.reused) + incremental.statistics.carriedCerts,
                               full.signing.count(.signed), context)
                reused += incremental.signing.count(.reused) + incremental.statistics.carriedCerts
                try Self.assertSameFiles(base + "/incremental", base + "/full", context)
                _ = try Compilation(ir: originalIR, at: CompileFixture.at, policyName: name).run(output: base + "/incremental", format: .advanced)
                _ = try Compilation(ir: originalIR, at: CompileFixture.at, policyName: name).run(output: base + "/original", format: .advanced)
                try Self.assertSameFiles(base + "/incremental", base + "/original", "back: " + context)
                tried += 1
                compared += 1
            }
            XCTAssertGreaterThan(tried, 0, "no change applied to \(name)")
        }
        XCTAssertGreaterThanOrEqual(compared, 8)
        XCTAssertGreaterThan(reused, 0, "the incremental runs reuse certs (a change to a policy's only grant may change them all)")
    }

    static func assertSameFiles(_ left: String, _ right: String, _ context: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let a = try CompileFixture.files(left)
        let b = try CompileFixture.files(right)
        XCTAssertEqual(a.keys.sorted(), b.keys.sorted(), context, file: file, line: line)
        for (path, bytes) in a where b[path] != bytes {
            XCTFail("\(path) differs: \(context)", file: file, line: line)
        }
    }

    /// The IR of `text` read as the policy at `path` (its includes and keys resolve as
    /// the file's); nil when the changed policy has errors.
    static func ir(path: String, text: String) throws -> InfrastructureIR? {
        let loaded = PolicyLoader(read: { requested in
            requested == path ? .success(Array(text.utf8)) : Fixtures.read(requested)
        }).load([path])
        let analysis = PolicyAnalysis.analyze(root: path, in: loaded, keys: Fixtures.keyLoader)
        guard !analysis.hasErrors, analysis.placement != nil else { return nil }
        return try CompileFixture.ir(analysis)
    }
}
