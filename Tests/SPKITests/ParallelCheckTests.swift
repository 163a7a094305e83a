import Foundation
import Hashing
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// Signatures checked on several threads (`CertBag.Builder.build(workers:)`): the bag is
/// the same as on one thread, whatever the number of threads, with failures in any
/// position, and the first failing link in chain order is the one reported.
final class ParallelCheckTests: XCTestCase {
    /// The corpus's 50 user keys: a chain of 49 links, every issuer key new.
    static let keys: [RSAKeyFile] = (0..<50).map { index in
        let url = PackagePaths.corpus("keys/user-\(String(format: "%02d", index)).key")
        return try! RSAKeyFile.load(Array(Data(contentsOf: url)))
    }
    static let grant = try! Tag(parsing: SExpr.parse("(vpxi bench (resource r1) (* set ssh console))"))

    enum Damage { case flippedSignature, otherSigner, noSignature, wrongDigestWord }

    /// A signed chain keys[0] → … → keys[links], canonical, with `damage` at some links.
    func chain(links: Int, damage: [Int: Damage] = [:]) throws -> [UInt8] {
        var items: [SPKISequence.Item] = []
        for i in 0..<links {
            let cert = Cert(issuer: Principal(key: Self.keys[i]), subject: .principal(Principal(key: Self.keys[i + 1])),
                            tag: Self.grant, propagate: true)
            items.append(.cert(cert))
            var signature = try cert.sign(with: Self.keys[i])
            switch damage[i] {
            case .flippedSignature?: signature.signature[17] ^= 0x40
            case .otherSigner?:
                // A valid signature over the cert, by the subject's key instead of the issuer's.
                let other = Self.keys[i + 1]
                signature = try SPKISignature.sign(canonical: cert.signedBytes, signer: RSASigner(key: other.requirePrivateKey()),
                                                   principal: other.publicKeySExpr)
            case .noSignature?: continue
            case .wrongDigestWord?: signature.algorithm = "rsa-pkcs1-sha1"
            case nil: break
            }
            items.append(.signature(signature))
        }
        return SPKISequence(items: items).sexp.canonical
    }

    func builder(_ bytes: [UInt8]) throws -> CertBag.Builder {
        var warnings: [SPKIWarning] = []
        var builder = CertBag.Builder()
        try builder.add(SPKISequence(parsing: SExprParser().parse(bytes), warnings: &warnings), origin: "chain.sexp")
        return builder
    }

    func testEveryThreadCountGivesTheSameStatusesAsOneThread() throws {
        let damage: [Int: Damage] = [0: .flippedSignature, 7: .otherSigner, 8: .noSignature, 23: .wrongDigestWord, 48: .flippedSignature]
        let builder = try builder(chain(links: 49, damage: damage))
        let reference = builder.build(workers: 1).entries.map(\.status)
        XCTAssertEqual(reference.count, 49)
        for (index, status) in reference.enumerated() {
            switch damage[index] {
            case nil: XCTAssertEqual(status, .verified(legacy: nil), "link \(index)")
            case .noSignature?: XCTAssertEqual(status, .missing, "link \(index)")
            case .otherSigner?: XCTAssertEqual(status, .invalid(reason: "the signature is by another key than the issuer's"))
            case .flippedSignature?, .wrongDigestWord?:
                guard case .invalid = status else { return XCTFail("link \(index): \(status)") }
            }
        }
        for workers in [nil, 2, 3, 4, 7, 16, 64] {
            let bag = builder.build(workers: workers)
            XCTAssertEqual(bag.entries.map(\.status), reference, "workers \(workers.map(String.init) ?? "default")")
            XCTAssertEqual(bag.entries.map(\.origin), builder.build(workers: 1).entries.map(\.origin))
            XCTAssertEqual(bag.sequences, [Array(0..<49)])
        }
    }

    func testTheFirstFailingLinkInChainOrderIsReported() throws {
        // Failures late and early: the early one (link 5) must be the one reported.
        let builder = try builder(chain(links: 40, damage: [31: .flippedSignature, 5: .flippedSignature, 36: .otherSigner]))
        let acl = ACL(entries: [ACL.Entry(subject: .principal(Principal(key: Self.keys[0])), propagate: true)])
        let request = SequenceExplainer.Request(tag: try Tag(parsing: SExpr.parse("(vpxi bench (resource r1) ssh)")))
        let sequential = SequenceExplainer.explain(acl: acl, bag: builder.build(workers: 1), request: request)
        for workers in [nil, 2, 8] {
            let bag = builder.build(workers: workers)
            XCTAssertEqual(SequenceExplainer.explain(acl: acl, bag: bag, request: request), sequential)
            let tuples = Reducer(bag: bag).closure(from: acl.entries.enumerated().map { AuthTuple(entry: $1, index: $0) })
            // The reduction stops before the bad link 5: the ACL entry and links 0 to 4.
            XCTAssertEqual(tuples.count, 6)
            XCTAssertEqual(tuples.last?.subject, .principal(Principal(key: Self.keys[5])))
        }
        guard case .failingChains(let chains) = sequential.kind, let first = chains.first else {
            return XCTFail("expected a failing chain, got \(sequential.kind)")
        }
        XCTAssertEqual(first.failingLink, 6, "link 0 is the ACL entry, link 6 the sixth cert")
        guard case .signature = first.reason else { return XCTFail("expected a signature failure, got \(first.reason)") }
    }

    func testShortChainsAndUnsignedBagsAreUnchanged() throws {
        for links in [1, 2, 15, 16, 17] {
            let builder = try builder(chain(links: links, damage: [links - 1: .flippedSignature]))
            let statuses = builder.build(workers: 1).entries.map(\.status)
            XCTAssertEqual(builder.build().entries.map(\.status), statuses, "\(links) links")
            XCTAssertEqual(builder.build(workers: 4).entries.map(\.status), statuses, "\(links) links")
            XCTAssertEqual(statuses.filter { $0 == .verified(legacy: nil) }.count, links - 1)
            XCTAssertEqual(builder.build(checkSignatures: false, workers: 4).entries.map(\.status),
                           Array(repeating: .unchecked, count: links))
        }
    }

    /// The signatures of many bags checked at once from several threads (as the agent and
    /// the registrar may): every bag comes out whole.
    func testConcurrentBuildsFromSeveralThreads() throws {
        let builder = try builder(chain(links: 30, damage: [12: .otherSigner]))
        let reference = builder.build(workers: 1).entries.map(\.status)
        let results = UnsafeMutableBufferPointer<[CertBag.SignatureStatus]>.allocate(capacity: 6)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        nonisolated(unsafe) let slots = results
        DispatchQueue.concurrentPerform(iterations: 6) { slots[$0] = builder.build().entries.map(\.status) }
        for result in results { XCTAssertEqual(result, reference) }
    }

    /// A long sequence, read before its signatures are checked on several threads: the
    /// items and warnings in input order, and the error of the first bad item.
    func testLongSequencesReadInOrder() throws {
        let sequence = try builderSequence(chain(links: 20))
        var values = Array(sequence.sexp.tail)
        XCTAssertEqual(values.count, 40)
        // Truncated dates in items 4 and 31 (certs, index 3 and 30): two warnings, in order.
        func withValidity(_ cert: SExpr, _ date: String) -> SExpr {
            .list(Array(cert.listValue!) + [["valid", ["not-after", .string(date)]]])
        }
        values[2] = withValidity(values[2], "2031")
        values[30] = withValidity(values[30], "2032-05")
        var warnings: [SPKIWarning] = []
        let read = try SPKISequence(parsing: .list(["sequence"] + values), warnings: &warnings)
        XCTAssertEqual(read.items.count, 40)
        XCTAssertEqual(warnings.count, 2)
        XCTAssertTrue(warnings[0].message.contains("2031"), warnings[0].message)
        XCTAssertTrue(warnings[1].message.contains("2032-05"), warnings[1].message)
        XCTAssertEqual(read.sexp.canonical, SExpr.list(["sequence"] + values).canonical)
        // Bad items 11 and 26: the error names item 11.
        values[10] = ["cert", ["issuer", "nobody"]]
        values[25] = ["frobnicate"]
        for _ in 0..<5 {
            var ignored: [SPKIWarning] = []
            XCTAssertThrowsError(try SPKISequence(parsing: .list(["sequence"] + values), warnings: &ignored)) { error in
                XCTAssertTrue((error as? SPKIError)?.message.hasPrefix("item 11 of the sequence") == true, "\(error)")
            }
        }
    }

    func builderSequence(_ bytes: [UInt8]) throws -> SPKISequence {
        var warnings: [SPKIWarning] = []
        return try SPKISequence(parsing: SExprParser().parse(bytes), warnings: &warnings)
    }

    /// Property: for random damage (flipped signature bytes, dropped signatures) and a
    /// random number of threads, the statuses and the refusal equal those of one thread.
    func testRandomDamageAndThreadCountsAgreeWithOneThread() throws {
        var warnings: [SPKIWarning] = []
        let clean = try SPKISequence(parsing: SExprParser().parse(chain(links: 49)), warnings: &warnings)
        let acl = ACL(entries: [ACL.Entry(subject: .principal(Principal(key: Self.keys[0])), propagate: true)])
        let request = SequenceExplainer.Request(tag: try Tag(parsing: SExpr.parse("(vpxi bench (resource r1) ssh)")))
        var random = SeededRandom(seed: 0x5eed)
        for trial in 0..<20 {
            var items: [SPKISequence.Item] = []
            var damaged: Set<Int> = []
            var link = -1  // the cert the next signature covers
            for item in clean.items {
                guard case .signature(var signature) = item else {
                    link += 1
                    items.append(item)
                    continue
                }
                switch random.next() % 8 {
                case 0:
                    signature.signature[Int(random.next() % UInt64(signature.signature.count))] ^= 1
                    damaged.insert(link)
                case 1:
                    damaged.insert(link)
                    continue
                default: break
                }
                items.append(.signature(signature))
            }
            var builder = CertBag.Builder()
            try builder.add(SPKISequence(items: items), origin: "trial \(trial)")
            let reference = builder.build(workers: 1)
            XCTAssertEqual(reference.entries.filter { !$0.status.isUsable }.count, damaged.count, "trial \(trial)")
            let workers = 2 + Int(random.next() % 7)
            let bag = builder.build(workers: workers)
            XCTAssertEqual(bag.entries.map(\.status), reference.entries.map(\.status), "trial \(trial), \(workers) workers")
            XCTAssertEqual(SequenceExplainer.explain(acl: acl, bag: bag, request: request),
                           SequenceExplainer.explain(acl: acl, bag: reference, request: request), "trial \(trial)")
        }
    }
}
