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
    static let badTags: [SExpr] = [["tag"], try! SExpr.parse("(tag (* range numeric zz #05#))"), try! SExpr.parse("(tag (* nope))"),
                                   try! SExpr.parse("(tag ())"), try! SExpr.parse("(tag (*) (*))")]
    static let validities = ["(valid (not-after \"2030-01-01_00:00:00\"))", "(valid (not-before \"2026-01-01\"))", "(valid (not-after \"bad\"))",
                             "(valid (not-before \"2026-01-01_00:00:00\") (not-after \"2027-02\"))",
                             "(valid (not-before \"2026-01-01\") (online crl #0102#))", "(valid (not-after [h]\"2030-01-01\"))",
                             "(valid (not-after \"2030-01-01\") (not-before \"2026-01-01\"))", "(valid (not-after))", "(valid (later x))"]
        .map { try! SExpr.parse($0) }
    /// Other subjects than principals: names, thresholds, keyholders, object hashes, and bad ones.
    static let otherSubjects = ["(keyholder (hash sha256 #00#))", "(object-hash (hash sha256 #0102#))", "(name alice)", "(k-of-n \"1\" \"1\" (name bob))",
                                "(k-of-n \"3\" \"1\" (name bob))", "(keyholder)", "(friend x)", "atom"]
        .map { try! SExpr.parse($0) }
    static let fieldOrder = ["version", "display", "issuer", "issuer-info", "subject", "subject-info", "propagate", "tag", "valid", "comment"]
    /// Optional fields, well formed or not (each given with the rank it belongs at).
    static let extras: [(rank: Int, value: SExpr)] = [(0, "(version \"1\")"), (0, "(version (x))"), (1, "(display [text/plain]\"x\")"),
                                                      (1, "(display)"), (3, "(issuer-info (x y))"), (5, "(subject-info z)"),
                                                      (9, "(comment \"hello\")"), (9, "(comment a b)"), (6, "(propagate x)"),
                                                      (3, "(issuer-info ())"), (9, "(comment ())"), (9, "([h]comment x)"), (8, "(valid)")]
        .map { (rank: $0.0, value: try! SExpr.parse($0.1)) }
    static let signatures: [SExpr] = ["(signature (hash sha256 #\(String(repeating: "ab", count: 32))#) (hash sha256 #00#) (rsa-pkcs1-sha256 #0102#))",
                                      "(signature (hash sha1 #\(String(repeating: "ab", count: 20))#) (hash sha1 #00#) (rsa-pkcs1-sha1 #0102#))",
                                      "(signature (hash sha256 #0102#) (hash sha256 #00#) (rsa-pkcs1-sha256 #0102#))",
                                      "(signature (hash [h]sha256 #\(String(repeating: "ab", count: 32))#) (hash sha256 #00#) (rsa-pkcs1-sha256 #01#))",
                                      "(signature (hash sha256 #\(String(repeating: "ab", count: 32))#) (keyholder x) (rsa-pkcs1-sha256 #01#))",
                                      "(signature (hash sha256 #\(String(repeating: "ab", count: 32))#) (hash sha256 #00#) (rsa-pkcs1-sha256 #01# #02#))",
                                      "(signature (hash sha256 #\(String(repeating: "ab", count: 32))#) (hash sha256 #00#))"]
        .map { try! SExpr.parse($0) }

    func principal(_ random: inout SeededRandom, damage: Bool) -> SExpr {
        if damage, random.next() % 24 == 0 { return Self.badPrincipals.randomElement(using: &random)! }
        return random.next() % 4 == 0 ? Self.hashes.randomElement(using: &random)! : Self.keys.randomElement(using: &random)!
    }

    func signature(_ random: inout SeededRandom, damage: Bool) -> SExpr {
        guard damage, random.next() % 3 == 0 else {
            // A well-formed signature whose signer is one of the principals the certs name.
            let digest = SExpr.bytes(HashAlgorithm.sha256.digest([UInt8(random.next() % 256)]))
            return ["signature", ["hash", "sha256", digest], principal(&random, damage: false), ["rsa-pkcs1-sha256", .bytes([1, 2, 3])]]
        }
        return Self.signatures.randomElement(using: &random)!
    }

    func cert(_ random: inout SeededRandom, damage: Bool) -> SExpr {
        var fields: [SExpr] = ["cert"]
        let nameCert = random.next() % 6 == 0
        let issuer = principal(&random, damage: damage)
        let nameIssuer: SExpr = damage && random.next() % 4 == 0 ? ["name", issuer, "a", "b"] : ["name", issuer, "friend"]
        fields.append(["issuer", nameCert ? nameIssuer : issuer])
        let subject = principal(&random, damage: damage)
        switch random.next() % 8 {
        case 0: fields.append(["subject", ["name", subject, "a", "b"]])
        case 1: fields.append(["subject", Self.otherSubjects[Int(random.next() % (damage ? 8 : 5))]])
        default: fields.append(["subject", subject])
        }
        if !nameCert || (damage && random.next() % 8 == 0) {
            if random.next() % 3 == 0 { fields.append(["propagate"]) }
            let bad = damage && random.next() % 16 == 0
            fields.append(bad ? Self.badTags.randomElement(using: &random)! : Self.tags.randomElement(using: &random)!)
        }
        if random.next() % 3 == 0 {
            let v = Self.validities.randomElement(using: &random)!
            if damage || v != Self.validities[2] { fields.append(v) }
        }
        if random.next() % 4 == 0 {
            // An optional field at its place (ranks: version 0 … comment 9), well formed
            // unless damaging.
            let allowed = damage ? Array(Self.extras.indices) : [0, 2, 4, 5, 6, 9, 10]
            let extra = Self.extras[allowed.randomElement(using: &random)!]
            let ranks = fields.dropFirst().map { Self.fieldOrder.firstIndex(of: $0.head ?? "") ?? 0 }
            let at = 1 + (ranks.firstIndex { $0 > extra.rank } ?? ranks.count)
            if !ranks.contains(extra.rank) { fields.insert(extra.value, at: at) }
        }
        if damage, random.next() % 16 == 0 { fields.swapAt(1, 2) }
        if damage, random.next() % 24 == 0 { fields.append(fields[fields.count - 1]) }
        if damage, random.next() % 24 == 0 { fields.append(["bogus"]) }
        return .list(fields)
    }

    func read(_ read: () throws(SPKIError) -> SPKISequence) -> (SPKISequence?, String) {
        do { return (try read(), "") } catch { return (nil, "\(error.code) \(error.message) \(error.field ?? "-") \(error.help ?? "-")") }
    }

    func testDocumentReadsAsTheValue() throws {
        var random = SeededRandom(seed: 0x5eed_f00d)
        var (accepted, refused, warned, fields) = (0, 0, 0, 0)
        for round in 0..<600 {
            let damage = round % 2 == 1
            var items: [SExpr] = ["sequence"]
            for _ in 0..<(1 + Int(random.next() % 12)) {
                switch random.next() % 10 {
                case 0: items.append(["do", "hash", "sha256"])
                case 1: items.append(principal(&random, damage: damage))
                case 2, 3: items.append(signature(&random, damage: damage))
                default: items.append(cert(&random, damage: damage))
                }
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
                XCTAssertEqual(a.sexp, b.sexp, "round \(round)")
                if case .signature(let x) = a, case .signature(let y) = b {
                    XCTAssertEqual(x.sexp, y.sexp, "round \(round)")
                    XCTAssertEqual(x.algorithm, y.algorithm, "round \(round)")
                }
                guard case .cert(let x) = a, case .cert(let y) = b else { continue }
                XCTAssertEqual(x, y, "round \(round)")
                XCTAssertEqual(x.hashValue, y.hashValue, "round \(round)")
                XCTAssertEqual(x.source, y.source, "round \(round)")
                XCTAssertEqual(x.signedBytes, y.signedBytes, "round \(round)")
                XCTAssertEqual(x.issuer.principal.id, y.issuer.principal.id, "round \(round)")
                XCTAssertEqual(x.subject, y.subject, "round \(round)")
                XCTAssertEqual(x.tag, y.tag, "round \(round)")
                XCTAssertEqual(x.validity, y.validity, "round \(round)")
                if x.comment != nil || x.version != nil || x.issuerInfo != nil || x.subjectInfo != nil { fields += 1 }
            }
        }
        // Both outcomes are exercised: sequences read, refused, and read with warnings.
        XCTAssertGreaterThan(accepted, 100)
        XCTAssertGreaterThan(refused, 30)
        XCTAssertGreaterThan(warned, 10)
        XCTAssertGreaterThan(fields, 10)
        print("SequenceFastPathTests: \(accepted) read, \(refused) refused, \(warned) with warnings, \(fields) certs with optional fields")
    }
}
