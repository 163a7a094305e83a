import Hashing
import SExpr
import SPKI
import XCTest

/// `SPKISequence(parsing: document)` reuses fields whose bytes were read before (tags,
/// issuer and subject principals); on random sequences, damaged ones included, it reads
/// exactly what `SPKISequence(parsing: value)` reads: the same items, warnings and errors.
final class SequenceFastPathTests: XCTestCase {
    static let keys: [SExpr] = (0..<4).map { i in
        ["public-key", ["rsa-pkcs1-sha256", ["n", .bytes(HashAlgorithm.sha256.digest([UInt8(i)]))], ["e", .bytes([3])]]]
    }
    static let hashes: [SExpr] = (0..<2).map { i in ["hash", "sha256", .bytes(HashAlgorithm.sha256.digest([UInt8(100 + i)]))] }
    static let badPrincipals: [SExpr] = [["public-key"], ["hash", "sha256", .bytes([1, 2])], ["hash", "md7", .bytes([1])]]
    static let tags = ["(tag (*))", "(tag (vm (* set ssh scp)))", "(tag (vpxi \"a\" (* prefix \"/d/\")))", "(tag (* range numeric ge \"5\"))"]
        .map { try! SExpr.parse($0) }
    static let badTags: [SExpr] = [["tag"], try! SExpr.parse("(tag (* range numeric zz #05#))"), try! SExpr.parse("(tag (* nope))")]
    static let validities = ["(valid (not-after \"2030-01-01_00:00:00\"))", "(valid (not-before \"2026-01-01\"))", "(valid (not-after \"bad\"))"]
        .map { try! SExpr.parse($0) }

    func principal(_ random: inout SeededRandom, damage: Bool) -> SExpr {
        if damage, random.next() % 24 == 0 { return Self.badPrincipals.randomElement(using: &random)! }
        return random.next() % 4 == 0 ? Self.hashes.randomElement(using: &random)! : Self.keys.randomElement(using: &random)!
    }

    func cert(_ random: inout SeededRandom, damage: Bool) -> SExpr {
        var fields: [SExpr] = ["cert"]
        let nameCert = random.next() % 6 == 0
        let issuer = principal(&random, damage: damage)
        fields.append(["issuer", nameCert ? ["name", issuer, "friend"] : issuer])
        let subject = principal(&random, damage: damage)
        fields.append(["subject", random.next() % 6 == 0 ? ["name", subject, "a", "b"] : subject])
        if !nameCert || (damage && random.next() % 8 == 0) {
            if random.next() % 3 == 0 { fields.append(["propagate"]) }
            let bad = damage && random.next() % 16 == 0
            fields.append(bad ? Self.badTags.randomElement(using: &random)! : Self.tags.randomElement(using: &random)!)
        }
        if random.next() % 3 == 0 {
            let v = Self.validities.randomElement(using: &random)!
            if damage || v != Self.validities[2] { fields.append(v) }
        }
        if damage, random.next() % 16 == 0 { fields.swapAt(1, 2) }
        return .list(fields)
    }

    func read(_ read: () throws(SPKIError) -> SPKISequence) -> (SPKISequence?, String) {
        do { return (try read(), "") } catch { return (nil, "\(error.code) \(error.message) \(error.field ?? "-") \(error.help ?? "-")") }
    }

    func testDocumentReadsAsTheValue() throws {
        var random = SeededRandom(seed: 0x5eed_f00d)
        var (accepted, refused, warned) = (0, 0, 0)
        for round in 0..<300 {
            let damage = round % 2 == 1
            var items: [SExpr] = ["sequence"]
            for _ in 0..<(1 + Int(random.next() % 12)) {
                items.append(random.next() % 10 == 0 ? ["do", "hash", "sha256"] : cert(&random, damage: damage))
            }
            let value: SExpr = random.next() % 10 == 0 ? items[1] : .list(items)
            let bytes = random.next() % 4 == 0 ? Array(value.advanced().utf8) : value.canonical
            let document = try SExprParser().parse(bytes)
            var fastWarnings: [SPKIWarning] = [], slowWarnings: [SPKIWarning] = []
            let (fast, fastError) = read { () throws(SPKIError) in try SPKISequence(parsing: document, warnings: &fastWarnings) }
            let (slow, slowError) = read { () throws(SPKIError) in try SPKISequence(parsing: document.value(0), warnings: &slowWarnings) }
            XCTAssertEqual(fastError, slowError, "round \(round)")
            XCTAssertEqual("\(fastWarnings)", "\(slowWarnings)", "round \(round)")
            XCTAssertEqual(fast?.sexp, slow?.sexp, "round \(round)")
            if fast == nil { refused += 1 } else { accepted += 1 }
            if !fastWarnings.isEmpty { warned += 1 }
            guard let fast, let slow else { continue }
            XCTAssertEqual(fast.items.count, slow.items.count)
            for (a, b) in zip(fast.items, slow.items) {
                guard case .cert(let x) = a, case .cert(let y) = b else { continue }
                XCTAssertEqual(x, y, "round \(round)")
                XCTAssertEqual(x.signedBytes, y.signedBytes, "round \(round)")
                XCTAssertEqual(x.issuer.principal.id, y.issuer.principal.id, "round \(round)")
            }
        }
        // Both outcomes are exercised: sequences read, refused, and read with warnings.
        XCTAssertGreaterThan(accepted, 100)
        XCTAssertGreaterThan(refused, 30)
        XCTAssertGreaterThan(warned, 10)
        print("SequenceFastPathTests: \(accepted) read, \(refused) refused, \(warned) with warnings")
    }
}
