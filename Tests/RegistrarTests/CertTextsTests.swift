@testable import Registrar
import Foundation
import SExpr
import XCTest

/// `CertTexts`: the recorded text of a cert laid out from a kept prefix is byte for byte the
/// whole laid out at once (`AdvancedPrinter(width: 0)`), over random expressions whose last
/// elements change from one "epoch" to the next, certs that change at the same place of the
/// plan, atoms of every style (token, quoted, base64, display hints, empty lists).
final class CertTextsTests: XCTestCase {
    static func atom(_ random: inout TestRandomBits) -> SExpr {
        switch random.next() % 6 {
        case 0: return .string(["cert", "issuer", "not-after", "a-b.c", "x"][Int(random.next() % 5)])
        case 1: return .string("2026-12-0\(random.next() % 9 + 1)_0\(random.next() % 9):00:00")
        case 2: return .string("with space \"q\" \\ \(random.next() % 100)")
        case 3: return .bytes((0..<Int(random.next() % 300)).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        case 4: return .bytes(Array("1234".utf8))
        default: return .string("h\(random.next() % 9)", hint: "text/plain")
        }
    }

    static func value(_ random: inout TestRandomBits, depth: Int) -> SExpr {
        guard depth > 0, random.next() % 3 != 0 else { return atom(&random) }
        let count = Int(random.next() % 5)
        if count == 0 { return .list([]) }
        return .list([atom(&random)] + (1..<count).map { _ in value(&random, depth: depth - 1) })
    }

    func testComposedTextEqualsWholeLayout() {
        var random = TestRandomBits(seed: 0xCE27)
        let texts = CertTexts()
        var reused = 0
        for round in 0..<400 {
            // A "plan" of 6 places; each place keeps its prefix for a while, then changes.
            let index = Int(random.next() % 6)
            let prefixCount = Int(random.next() % 4)
            var elements: [SExpr] = ["cert"]
            var seed = TestRandomBits(seed: UInt64(index * 7919 + (round / 100)))
            for _ in 0..<prefixCount { elements.append(Self.value(&seed, depth: 3)) }
            for _ in 0..<Int(random.next() % 3) { elements.append(Self.value(&random, depth: 2)) }
            let cert = SExpr.list(elements).canonical
            let signature = Self.value(&random, depth: 3).canonical
            let sequence = EpochIssue.sequenceCanonical(cert: cert, signature: signature)
            let whole = String(decoding: try! AdvancedPrinter(width: 0).print(canonical: sequence), as: UTF8.self)
            if random.next() % 4 == 0 {
                XCTAssertEqual(texts.certText(cert, index: index), String(decoding: try! AdvancedPrinter(width: 0).print(canonical: cert), as: UTF8.self),
                               "round \(round)")
            } else {
                XCTAssertEqual(texts.sequenceText(cert: cert, signature: signature, index: index), whole, "round \(round)")
            }
            if CertTexts.prefix(of: cert).map({ CertTexts.rest(of: cert, after: $0.bytes) != nil }) ?? false { reused += 1 }
        }
        XCTAssertGreaterThan(reused, 100)
    }

    /// A real cert's shape: the prefix ends where its validity starts, and the text with a
    /// new validity (or none) is laid out from it.
    func testValidityChangesOnly() throws {
        let key: SExpr = ["public-key", ["rsa-pkcs1-sha256", ["e", .bytes([1, 0, 1])], ["n", .bytes(Array(repeating: 0xA5, count: 257))]]]
        func cert(_ validity: SExpr?) -> [UInt8] {
            var items: [SExpr] = ["cert", ["issuer", key], ["subject", ["hash", "sha256", .bytes(Array(0..<32))]], ["propagate"],
                                  ["tag", ["vpxi", "seg", ["*", "set", "ssh", "console"]]]]
            if let validity { items.append(validity) }
            return SExpr.list(items).canonical
        }
        let texts = CertTexts()
        let signature: SExpr = ["signature", ["hash", "sha256", .bytes(Array(repeating: 3, count: 32))], ["hash", "sha256", .bytes(Array(0..<32))],
                                ["rsa-pkcs1-sha256", .bytes(Array(repeating: 0x5A, count: 256))]]
        for hour in 0..<30 {
            let validity: SExpr? = hour == 7 ? nil : ["valid", ["not-before", .string("2026-12-05_\(String(format: "%02d", hour % 24)):00:00")],
                                                       ["not-after", .string("2026-12-0\(5 + hour / 24)_\(String(format: "%02d", (hour + 2) % 24)):00:00")]]
            let bytes = cert(validity)
            let sequence: SExpr = ["sequence", try SExpr.parse(bytes), signature]
            XCTAssertEqual(texts.sequenceText(cert: bytes, signature: signature.canonical, index: 0), sequence.advanced(width: 0), "hour \(hour)")
        }
        let prefix = try XCTUnwrap(CertTexts.prefix(of: cert(["valid"])))
        XCTAssertEqual(prefix.bytes, Array(cert(nil).dropLast()))
        XCTAssertNil(CertTexts.prefix(of: SExpr.list(["cert"]).canonical), "a head alone has no prefix")
    }
}
