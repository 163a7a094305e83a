import XCTest
import SExpr
@testable import PolicyCompiler

/// `FlatRecord` writes the manifest's records straight to bytes: they must be exactly the
/// bytes of the values' one-line advanced form (`SExpr.description`), which the manifests
/// of earlier outputs hold and the reader expects.
final class FlatRecordTests: XCTestCase {
    /// Atoms of every style: tokens, digits first, empty, quotes and backslashes, spaces,
    /// control and non-ASCII bytes, with and without hints.
    static let atoms: [[UInt8]] = [
        Array("cert".utf8), Array("9f2c".utf8), [], Array("a b".utf8), Array("say \"hi\" \\ now".utf8),
        Array("alice/seg/worker[3]".utf8), Array("2026-12-01_08:00:00".utf8), [0x00, 0xFF, 0x41], Array("é".utf8),
        Array("-x".utf8), Array("*".utf8), Array("a=b+c:d.e_f".utf8), [0x7E], [0x7F], [0x1F],
    ]

    func testValuesPrintAsTheirDescription() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let value = Self.randomValue(depth: 0, using: &generator)
            var record = FlatRecord()
            record.value(value)
            XCTAssertEqual(String(decoding: record.bytes, as: UTF8.self), value.description)
        }
    }

    /// The manifest copies each cert's tag and validity from its canonical bytes: the same
    /// bytes as their values; bytes that are not well formed are refused, nothing written.
    func testCanonicalBytesPrintAsTheirValues() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let value = Self.randomValue(depth: 0, using: &generator)
            let canonical = value.canonical
            var record = FlatRecord()
            record.open("cert")
            let written = canonical.withUnsafeBufferPointer { record.canonical($0, 0..<$0.count) }
            XCTAssertTrue(written)
            record.close()
            XCTAssertEqual(String(decoding: record.bytes, as: UTF8.self), SExpr.list(["cert", value]).description)
        }
        for bad in ["(3:abc", "3:ab", ")", "(1:a))", "(1:a[2:x", "(9999:a)"] {
            var record = FlatRecord()
            record.open("cert")
            let written = Array(bad.utf8).withUnsafeBufferPointer { record.canonical($0, 0..<$0.count) }
            XCTAssertFalse(written, bad)
            record.close()
            XCTAssertEqual(String(decoding: record.bytes, as: UTF8.self), "(cert)", bad)
        }
    }

    func testFieldsPrintAsTheirValues() {
        for text in Self.atoms.compactMap({ String(validating: $0, as: UTF8.self) }) {
            var record = FlatRecord()
            record.open("cert")
            record.string(text)
            record.field("offset", 42)
            record.field("file", text)
            record.open("propagate")
            record.close()
            record.close()
            let value: SExpr = ["cert", .string(text), ["offset", "42"], ["file", .string(text)], ["propagate"]]
            XCTAssertEqual(String(decoding: record.bytes, as: UTF8.self), value.description)
        }
    }

    static func randomValue(depth: Int, using generator: inout SystemRandomNumberGenerator) -> SExpr {
        if depth < 4, Int.random(in: 0..<3, using: &generator) == 0 {
            let count = Int.random(in: 0..<5, using: &generator)
            return .list((0..<count).map { _ in randomValue(depth: depth + 1, using: &generator) })
        }
        let bytes = atoms.randomElement(using: &generator)!
        let hint = Int.random(in: 0..<4, using: &generator) == 0 ? atoms.randomElement(using: &generator)! : nil
        return .bytes(bytes, hint: hint)
    }
}
