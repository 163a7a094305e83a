import Foundation
import Registrar
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// `POST /v1/vpxis/{vpxi}/delegations` refuses every delegation that is not the one the
/// registrar asked the owner to sign, with its own code and a message saying what is
/// wrong, and a refused request writes nothing: no delegation, no cert, erin's chains and
/// the host's bundle unchanged (same ETags). A replayed upload is refused as well.
final class DelegationRefusalTests: RegistrarScratchTestCase {

    struct Case {
        var name: String
        var status: Int
        var code: String
        var message: String
        var path = "v1/vpxis/seg/delegations"
        var key: RSAKeyFile
        var arguments: [SExpr]
    }

    /// What a refusal must leave as it was.
    func state(_ database: SQLiteStore) async throws -> String {
        let delegations = try await database.read("SELECT COUNT(*) AS n FROM delegations", [])
        let certs = try await database.read("SELECT COUNT(*) AS n FROM certs", [])
        let chains = try await database.read("SELECT principal, etag FROM chains ORDER BY vpxi, principal", [])
        let bundles = try await database.read("SELECT host, etag FROM bundles ORDER BY host, vpxi", [])
        return "delegations \(delegations.first?["n"].int ?? -1) certs \(certs.first?["n"].int ?? -1) "
            + chains.map { "\($0["principal"].text ?? "") \($0["etag"].text ?? "")" }.joined(separator: " ")
            + " " + bundles.map { "\($0["host"].text ?? "") \($0["etag"].text ?? "")" }.joined(separator: " ")
    }

    func testRefusalsWriteNothing() async throws {
        try await withEnrolledLyon(slots: 2) { _, database, registrar, keys, _ in
            let alice = try RegistrarFixture.corpusKey("alice")
            let erin = try RegistrarFixture.corpusKey("erin")
            let carol = try RegistrarFixture.corpusKey("carol")
            let (machine, requested) = try await DelegationFlowTests.addErin(registrar)
            var warnings: [SPKIWarning] = []
            let base = try Cert(parsing: requested, warnings: &warnings)
            let notBefore = try XCTUnwrap(base.validity.notBefore)
            let notAfter = try XCTUnwrap(base.validity.notAfter)

            /// `(delegation (machine M) (sequence CERT SIGNATURE))`, the cert changed by
            /// `change` and signed by `signer` (alice by default).
            func delegation(_ change: (inout Cert) -> Void = { _ in }, signer: RSAKeyFile? = nil, machine: String = machine) throws -> SExpr {
                var cert = base
                cert.source = nil
                change(&cert)
                let key = signer ?? alice
                let signature = try SPKISignature.sign(canonical: cert.signedBytes, signer: try RSASigner(key: try key.requirePrivateKey()),
                                                       principal: key.publicKeySExpr)
                return ["delegation", ["machine", .string(machine)], ["sequence", cert.sexp, signature.sexp]]
            }
            let good = try delegation()
            let otherCert = try delegation { $0.tag = .all }
            // alice's signature, but over another cert.
            let swapped: SExpr = ["delegation", ["machine", .string(machine)],
                                  ["sequence", base.sexp, try XCTUnwrap(otherCert.first("sequence")?.tail.dropFirst().first)]]
            let cases: [Case] = [
                Case(name: "not the owner", status: 403, code: "R008", message: "only the owner", key: erin, arguments: [["vpxi", "seg"], good]),
                Case(name: "issuer not the owner", status: 403, code: "R015", message: "not issued by the owner", key: alice,
                     arguments: [["vpxi", "seg"], try delegation({ $0.issuer = .principal(Principal(key: erin)) }, signer: erin)]),
                Case(name: "wrong subject", status: 403, code: "R015", message: "`carol` was not added to `node[1]`", key: alice,
                     arguments: [["vpxi", "seg"], try delegation { $0.subject = .principal(Principal(key: carol)) }]),
                Case(name: "unknown user", status: 404, code: "R013", message: "not a registered user", key: alice,
                     arguments: [["vpxi", "seg"], try delegation { $0.subject = .principal(Principal(key: keys[95])) }]),
                Case(name: "tag beyond the grant", status: 403, code: "R015", message: "reaches beyond", key: alice, arguments: [["vpxi", "seg"], otherCert]),
                Case(name: "propagate", status: 403, code: "R015", message: "carries `(propagate)`", key: alice,
                     arguments: [["vpxi", "seg"], try delegation { $0.propagate = true }]),
                Case(name: "outside the window", status: 403, code: "R015", message: "not inside the window", key: alice,
                     arguments: [["vpxi", "seg"], try delegation { $0.validity = Validity(notBefore: notBefore, notAfter: SPKIDate(secondsSinceEpoch: notAfter.secondsSinceEpoch + 86400)) }]),
                Case(name: "unbounded", status: 403, code: "R015", message: "not inside the window", key: alice,
                     arguments: [["vpxi", "seg"], try delegation { $0.validity = .always }]),
                Case(name: "expired", status: 403, code: "R015", message: "expired", key: alice,
                     arguments: [["vpxi", "seg"], try delegation { $0.validity = Validity(notBefore: notBefore, notAfter: SPKIDate(secondsSinceEpoch: RegistrarFixture.now - 60)) }]),
                Case(name: "signature over another cert", status: 401, code: "R003", message: "not the owner's over this cert", key: alice,
                     arguments: [["vpxi", "seg"], swapped]),
                Case(name: "signature by another key", status: 401, code: "R003", message: "not the owner's over this cert", key: alice,
                     arguments: [["vpxi", "seg"], try delegation(signer: erin)]),
                Case(name: "unknown machine", status: 404, code: "R013", message: "has no machine `node[9]`", key: alice,
                     arguments: [["vpxi", "seg"], try delegation(machine: "node[9]")]),
                Case(name: "unknown vpxi", status: 404, code: "R013", message: "no active vpxi `nope`", path: "v1/vpxis/nope/delegations", key: alice,
                     arguments: [["vpxi", "nope"], good]),
                Case(name: "no delegation", status: 400, code: "R001", message: "at least one", key: alice, arguments: [["vpxi", "seg"]]),
                Case(name: "no signature", status: 400, code: "R001", message: "one cert and its signature", key: alice,
                     arguments: [["vpxi", "seg"], ["delegation", ["machine", .string(machine)], ["sequence", base.sexp]]]),
                Case(name: "one good, one bad", status: 403, code: "R015", message: "reaches beyond", key: alice,
                     arguments: [["vpxi", "seg"], good, otherCert]),
            ]
            let before = try await state(database)
            XCTAssertTrue(before.hasPrefix("delegations 0 "), before)
            for refusal in cases {
                let answer = try await registrar.client.post(refusal.path, op: "delegate", arguments: refusal.arguments, key: refusal.key, time: RegistrarFixture.now)
                XCTAssertEqual(answer.status, refusal.status, "\(refusal.name): \(answer.text)")
                XCTAssertEqual(answer.errorCode, refusal.code, "\(refusal.name): \(answer.text)")
                let message = answer.sexp?.first("message")?.tail.first?.text ?? ""
                XCTAssertTrue(message.contains(refusal.message), "\(refusal.name): \(message)")
                XCTAssertNotNil(answer.sexp?.first("help"), "\(refusal.name): a refusal says how to fix it: \(answer.text)")
                let after = try await state(database)
                XCTAssertEqual(after, before, "\(refusal.name) wrote something")
            }

            // The good one is accepted once; the same signed request again is a replay.
            let signed = Array(try RequestSigner.sign(op: "delegate", arguments: [["vpxi", "seg"], good], key: alice, time: RegistrarFixture.now).advanced(width: 0).utf8)
            let accepted = try await registrar.client.post("v1/vpxis/seg/delegations", body: signed)
            XCTAssertEqual(accepted.status, 200, accepted.text)
            let afterAccept = try await state(database)
            XCTAssertTrue(afterAccept.hasPrefix("delegations 1 "), afterAccept)
            let replayed = try await registrar.client.post("v1/vpxis/seg/delegations", body: signed)
            XCTAssertEqual(replayed.status, 409, replayed.text)
            XCTAssertEqual(replayed.errorCode, "R005")
            let afterReplay = try await state(database)
            XCTAssertEqual(afterReplay, afterAccept)
            // The same delegation in a new request is accepted again and recorded once.
            let again = try await registrar.client.post("v1/vpxis/seg/delegations", op: "delegate", arguments: [["vpxi", "seg"], good], key: alice, time: RegistrarFixture.now)
            XCTAssertEqual(again.status, 200, again.text)
            let recorded = try await database.read("SELECT COUNT(*) AS n FROM delegations", [])
            XCTAssertEqual(recorded.first?["n"].int, 1)
        }
    }
}
