import XCTest
import RSA
import SExpr
@testable import PolicyCompiler

/// `ElementText` renders certs and signatures as sequence elements straight from their
/// canonical bytes: the bytes must be exactly those of `SExprText.advanced.element` of
/// their values (what every earlier output holds), whatever the shape.
final class ElementTextTests: XCTestCase {
    /// Random objects shaped like certs (a head, then lists), with atoms of every style
    /// and length (long binary ones break lines), sometimes hints, sometimes an atom among
    /// the fields: the shortcut or the general printer, the same bytes.
    func testRandomObjectsRenderAsTheGeneralPrinterDoes() {
        var generator = SystemRandomNumberGenerator()
        var text = ElementText()
        for round in 0..<3_000 {
            let fields = (0..<Int.random(in: 0..<7, using: &generator)).map { _ in Self.randomField(depth: 0, using: &generator) }
            let value: SExpr = .list([.string(["cert", "signature", "sequence-element", "x"].randomElement(using: &generator)!)] + fields)
            XCTAssertEqual(text.element(canonical: value.canonical), SExprText.advanced.element(value), "round \(round): \(value.description)")
            // The same again, from the remembered fields.
            XCTAssertEqual(text.element(canonical: value.canonical), SExprText.advanced.element(value), "round \(round), again")
        }
    }

    /// Lists of atoms near the line width: each atom beside the head while it fits, or
    /// while it fits on no line, the rest on lines of their own.
    func testAtomFieldsAroundTheLineWidth() {
        var text = ElementText()
        for head in [1, 16, 40, 70, 71, 72, 73] {
            for first in [0, 1, 30, 69, 70, 71, 72, 100] {
                for second in [0, 5, 68, 69, 70, 71, 300] {
                    let field: SExpr = [.string(String(repeating: "h", count: head)), .string(String(repeating: "a", count: first)),
                                        .string(String(repeating: "b", count: second))]
                    for value: SExpr in [["cert", field], ["cert", field, field], ["cert", ["x", field]], ["cert", field, ["y", .bytes(Array(repeating: 0xFE, count: 60))]]] {
                        XCTAssertEqual(text.element(canonical: value.canonical), SExprText.advanced.element(value), value.description)
                    }
                }
            }
        }
    }

    /// Every cert of every example, and signatures of them: as the general printer writes them.
    func testTheExamplesCertsAndSignaturesRenderAsBefore() throws {
        for name in CompileFixture.examples {
            let ir = try CompileFixture.ir(name)
            let plan = CertPlanner(ir: ir).plan(at: CompileFixture.at)
            XCTAssertFalse(plan.certs.isEmpty, name)
            var text = ElementText()
            for planned in plan.certs {
                XCTAssertEqual(text.element(canonical: planned.canonical), SExprText.advanced.element(planned.cert.sexp), "\(name): \(planned.hex)")
                XCTAssertNotNil(text.shortcut(canonical: planned.canonical), "\(name): \(planned.hex) goes through the general printer")
                guard let key = ir.keys.signers[planned.issuer.key.id] else { continue }
                let signature = try SPKISignature.sign(canonical: planned.canonical, signer: RSASigner(key: key), principal: planned.issuer.key.hash)
                XCTAssertEqual(signature.canonicalBytes, signature.sexp.canonical)
                XCTAssertEqual(text.element(canonical: signature.canonicalBytes), SExprText.advanced.element(signature.sexp), "\(name): signature of \(planned.hex)")
                XCTAssertNotNil(text.shortcut(canonical: signature.canonicalBytes), "\(name): a signature goes through the general printer")
            }
        }
    }

    static func randomField(depth: Int, using generator: inout SystemRandomNumberGenerator) -> SExpr {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0: return randomAtom(using: &generator)  // not a list: the general printer
        case 1..<5: return .list((0..<Int.random(in: 1..<5, using: &generator)).map { _ in randomAtom(using: &generator) })
        default:
            guard depth < 3 else { return randomAtom(using: &generator) }
            return .list([randomAtom(using: &generator)]
                         + (0..<Int.random(in: 0..<4, using: &generator)).map { _ in randomField(depth: depth + 1, using: &generator) })
        }
    }

    static func randomAtom(using generator: inout SystemRandomNumberGenerator) -> SExpr {
        let bytes: [UInt8]
        switch Int.random(in: 0..<4, using: &generator) {
        case 0: bytes = (0..<Int.random(in: 0..<300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        case 1: bytes = Array(String(repeating: "k", count: Int.random(in: 1..<80, using: &generator)).utf8)
        default: bytes = FlatRecordTests.atoms.randomElement(using: &generator)!
        }
        let hint = Int.random(in: 0..<12, using: &generator) == 0 ? FlatRecordTests.atoms.randomElement(using: &generator)! : nil
        return .bytes(bytes, hint: hint)
    }
}
