@testable import Registrar
import Foundation
import PolicyCompiler
import SExpr
import TestSupport
import XCTest

/// The text an epoch records, rendered straight from canonical bytes (`EpochIssue+Text`),
/// against the `SExpr` trees it replaced: the certs' text, the chain documents and the
/// templates, byte for byte.
final class EpochTextTests: RegistrarScratchTestCase {
    /// `chains` rendered both ways for every user of `issue`.
    func assertSameText(_ issue: EpochIssue, file: StaticString = #filePath, line: UInt = #line) {
        var trees: [String: (body: SExpr, signed: Bool)] = [:]
        var bytes: [String: (canonical: [UInt8], signed: Bool)] = [:]
        for cert in issue.certs {
            XCTAssertEqual(cert.canonical ?? cert.body.canonical, cert.body.canonical, cert.hash, file: file, line: line)
            if let text = cert.text {
                XCTAssertEqual(text, cert.body.advanced(width: 0), cert.hash, file: file, line: line)
            }
            trees[cert.hash] = (cert.body, cert.signed)
            bytes[cert.hash] = (cert.canonical ?? cert.body.canonical, cert.signed)
        }
        for (user, templates) in issue.chains {
            let canonical = EpochIssue.chainDocumentCanonical(vpxi: issue.vpxi, user: user, epoch: issue.epoch.index, templates: templates,
                                                              aclCanonical: { $0.acl.canonical }, certs: bytes)
            let tree = EpochIssue.chainDocument(vpxi: issue.vpxi, user: user, epoch: issue.epoch.index, templates: templates, certs: trees)
            XCTAssertEqual(canonical, tree.canonical, user, file: file, line: line)
            XCTAssertEqual(EpochIssue.text(canonical: canonical, width: 72), tree.advanced(), user, file: file, line: line)
            let encoded = EpochIssue.templatesCanonical(templates, aclCanonical: { $0.acl.canonical })
            XCTAssertEqual(encoded, EpochIssue.encode(templates).canonical, user, file: file, line: line)
            XCTAssertEqual(EpochIssue.text(canonical: encoded, width: 0), EpochIssue.encode(templates).advanced(width: 0), user, file: file, line: line)
        }
    }

    /// A real epoch (enrolled, signed and pending-free certs; several users and machines),
    /// issued cold and from the cache.
    func testIssuedEpochTextMatchesTrees() async throws {
        try await withClockedLyon(slots: 4) { service, _, _, start, _ in
            let (policy, rows) = try await createSeg(service, machines: 3, start: start)
            let compiled = try service.compiledForRenewal(vpxi: "seg", policy: policy, slotRows: rows)
            let epoch = compiled.model.vpxis[compiled.vpxi].schedule.epoch(1)
            let cold = try EpochIssue.issue(compiled, epoch: epoch, at: epoch.start - 60, bundleSource: service.bundleSource)
            let warm = try EpochIssue.issue(compiled, epoch: epoch, at: epoch.start - 60, bundleSource: service.bundleSource,
                                            cache: service.renewalCache)
            XCTAssertGreaterThan(cold.chains.count, 0)
            // The planned certs come as canonical bytes (what the certs table records since
            // migration 5), with no text laid out.
            let planned = cold.certs.filter { $0.flow != "resource-registrar" }
            XCTAssertGreaterThan(planned.count, 0)
            XCTAssertTrue(planned.allSatisfy { $0.canonical != nil && $0.text == nil })
            assertSameText(cold)
            assertSameText(warm)
        }
    }

    /// Unsigned certs (pending), signed bodies that are not sequences, certs missing from
    /// the map, odd names: the canonical path still gives the trees' bytes.
    func testPendingAndUnusualCerts() {
        let cert: SExpr = ["cert", ["issuer", ["hash", "sha256", .bytes(Array(repeating: 7, count: 32))]], ["subject", "machine \"x\""],
                           ["tag", ["ssh", "*"]], ["valid", ["not-after", "2026-12-05_02:00:00"]]]
        let signature: SExpr = ["signature", ["hash", "sha256", .bytes(Array(0..<32))], ["rsa-pkcs1-sha256", .bytes(Array(repeating: 0xFF, count: 256))]]
        let certs: [EpochIssue.IssuedCert] = [
            .init(hash: "a", flow: "f", machine: "m", issuer: "i", subject: "s", body: ["sequence", cert, signature], signed: true, notAfter: 0),
            .init(hash: "b", flow: "f", machine: "m", issuer: "i", subject: "s", body: cert, signed: false, notAfter: 0),
            .init(hash: "c", flow: "f", machine: "m", issuer: "i", subject: "s", body: ["delegated", cert], signed: true, notAfter: 0),
            .init(hash: "d", flow: "f", machine: "m", issuer: "i", subject: "s", body: cert, signed: false, notAfter: 0,
                  canonical: cert.canonical),
        ]
        let templates: [EpochIssue.ChainTemplate] = [
            .init(machine: "web 1", acl: ["acl", ["entry", ["tag", ["ssh"]]]], certs: ["a", "b", "missing", "c", "d"]),
            .init(machine: "ünïcode", acl: ["acl"], certs: []),
        ]
        let epoch = RenewalSchedule(window: TimeWindow(start: 0, end: 86_400), lifetime: 3600, renewal: 600).epoch(3)
        assertSameText(EpochIssue(vpxi: "v \"q\"", epoch: epoch, certs: certs, chains: ["u": templates, "": [templates[0]]], bundles: [:], issuedAt: 0))
    }
}

extension RegistrarScratchTestCase {
    /// Creates vpxi "seg" of `machines` machines as alice; its stored policy and slot rows.
    func createSeg(_ service: RegistrarService, machines: Int, start: Int64) async throws -> (policy: String, rows: [DBRow]) {
        _ = try await service.handle(Array(try RequestSigner.sign(
            op: "create-vpxi", arguments: [["policy", .string(RegistrarFixture.fragment("seg", machines: machines, now: start))]],
            key: try RegistrarFixture.corpusKey("alice"), time: start).advanced(width: 0).utf8))
        let policyRows = try await service.database.read("SELECT policy FROM vpxis WHERE name = 'seg'", [])
        return (try XCTUnwrap(policyRows.first).text("policy"), try await service.slotRows(vpxi: "seg"))
    }
}
