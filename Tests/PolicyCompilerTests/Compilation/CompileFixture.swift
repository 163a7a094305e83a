import Foundation
import SExpr
import PolicyLanguage
import SPKI
import TestSupport
import XCTest
@testable import PolicyCompiler

/// Compiles corpus policies in-process, with the checked-in demo keys.
enum CompileFixture {
    /// The demo key store: the machines' keys, then the registrars' and users'.
    static var demoStore: KeyStoreDirectory {
        KeyStoreDirectory(directories: [PackagePaths.corpus("vm-keys").path, PackagePaths.corpus("keys").path])
    }

    /// The examples compiled with checked-in keys (large-pool's machine keys are generated).
    static let examples = ["bronze-standard", "secondary-user", "two-registrars", "with-include"]

    /// The fixed compilation time of the golden outputs.
    static let at: Int64 = 1_796_112_000  // 2026-12-01T08:00:00Z

    static func analysis(_ name: String) throws -> PolicyAnalysis {
        let path = Fixtures.policyPath("ok", "\(name).vp")
        let loaded = PolicyLoader(read: Fixtures.read).load([path])
        let analysis = PolicyAnalysis.analyze(root: path, in: loaded, keys: Fixtures.keyLoader)
        XCTAssertFalse(analysis.hasErrors, analysis.diagnostics.map(\.message).joined(separator: "\n"))
        return analysis
    }

    static func ir(_ analysis: PolicyAnalysis, store: KeyStoreDirectory = demoStore, generate: Bool = false) throws -> InfrastructureIR {
        let keys = try ResolvedKeys.resolve(analysis.model, store: store, generateMissing: generate)
        return InfrastructureIR(model: analysis.model, placement: try XCTUnwrap(analysis.placement), keys: keys)
    }

    static func ir(_ name: String) throws -> InfrastructureIR { try ir(try analysis(name)) }

    /// A fresh temporary directory (removed by the test's teardown block).
    static func temporaryDirectory(_ test: XCTestCase) throws -> String {
        try TemporaryDirectory.make("spkic-test", removedAfter: test).path
    }

    /// Every file under `directory`, following symbolic links (an output is a link to a
    /// generation that links into a pool): relative path → bytes.
    static func files(_ directory: String) throws -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        func walk(_ path: String, _ relative: String) throws {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
            if isDirectory.boolValue {
                for name in try FileManager.default.contentsOfDirectory(atPath: path) {
                    try walk(path + "/" + name, relative.isEmpty ? name : relative + "/" + name)
                }
            } else {
                result[relative] = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            }
        }
        try walk(directory, "")
        return result
    }

    /// The signed certs of an output's `certs/<vpxi>` files, each a `(sequence CERT
    /// SIGNATURE ...)`: the canonical bytes of each cert → its signature, and the file.
    static func packedCerts(_ files: [String: [UInt8]]) throws -> [[UInt8]: (signature: SExpr, file: String)] {
        var found: [[UInt8]: (signature: SExpr, file: String)] = [:]
        for (path, bytes) in files where path.hasPrefix("certs/") {
            let sequence = try SExpr.parse(bytes)
            XCTAssertEqual(sequence.head, "sequence", path)
            let items = Array(sequence.tail)
            XCTAssertEqual(items.count % 2, 0, path)
            for pair in stride(from: 0, to: items.count - 1, by: 2) {
                XCTAssertEqual(items[pair].head, "cert", path)
                XCTAssertEqual(items[pair + 1].head, "signature", path)
                XCTAssertNil(found[items[pair].canonical], "a cert is in one file only")
                found[items[pair].canonical] = (items[pair + 1], path)
            }
        }
        return found
    }

    /// The `(sequence ...)` of chain `key` (`<user>/<vpxi>/<machine>`), cut from its file
    /// where the manifest says it is.
    static func chain(_ output: String, _ key: String) throws -> [UInt8] {
        try placed(output, "chain", key)
    }

    /// The bytes of a machine's ACL (`<vpxi>/<machine>`), cut from its vpxi's ACLs file at
    /// the offset and length its manifest record gives.
    static func acl(_ output: String, _ key: String) throws -> [UInt8] {
        try placed(output, "acl", key)
    }

    static func placed(_ output: String, _ kind: String, _ key: String) throws -> [UInt8] {
        let manifest = try SExpr.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: output + "/manifest"))))
        let record = try XCTUnwrap(manifest.tail.first { $0.head == kind && $0.tail.first?.text == key }, "no \(kind) \(key)")
        func field(_ name: String) -> String? { record.tail.first { $0.head == name }?.tail.first?.text }
        let file = try XCTUnwrap(field("file"), "\(key) has no file")
        let offset = try XCTUnwrap(field("offset").flatMap { Int($0) }), length = try XCTUnwrap(field("length").flatMap { Int($0) })
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output + "/" + file)))
        XCTAssertLessThanOrEqual(offset + length, bytes.count, key)
        return Array(bytes[offset..<min(bytes.count, offset + length)])
    }

    /// How many `(sequence ...)` expressions a chains file holds.
    static func sequenceCount(_ bytes: [UInt8]) throws -> Int {
        try SExprParser().parse(bytes).values.filter { $0.head == "sequence" }.count
    }
}
