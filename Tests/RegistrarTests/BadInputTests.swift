import Foundation
import Registrar
import RSA
import SExpr
import TestSupport
import XCTest

/// Unsigned, badly signed, replayed, stale, oversized and malformed requests are refused
/// with a clear error, and nothing is written.
final class BadInputTests: RegistrarScratchTestCase {

    /// Row counts of every table.
    func counts(_ database: any RegistrarDatabase) async throws -> [String: Int64] {
        var counts: [String: Int64] = [:]
        for table in ["nonces", "hosts", "slots", "vpxis", "certs", "chains", "bundles", "tokens", "users"] {
            counts[table] = try await database.read("SELECT COUNT(*) AS n FROM \(table)", []).first?["n"].int
        }
        return counts
    }

    func testRefusedRequestsWriteNothing() async throws {
        try await withEnrolledLyon(slots: 2) { lyon, database, registrar, keys, hostKey in
            let alice = try RegistrarFixture.corpusKey("alice")
            let now = RegistrarFixture.now
            let policy: SExpr = ["policy", .string(RegistrarFixture.fragment("seg", machines: 1, now: now))]
            let signed = try RequestSigner.sign(op: "create-vpxi", arguments: [policy], key: alice, time: now)
            let request = Array(signed.tail)[0]
            let before = try await counts(database)

            func expect(_ body: [UInt8], status: Int, code: String, _ line: UInt = #line) async throws {
                let answer = try await registrar.client.post("v1/vpxis", body: body)
                XCTAssertEqual(answer.status, status, answer.text, line: line)
                XCTAssertEqual(answer.errorCode, code, answer.text, line: line)
                XCTAssertTrue(answer.text.contains("(message"), line: line)
                let after = try await counts(database)
                XCTAssertEqual(after, before, "a refused request wrote something", line: line)
            }
            // Unsigned: the bare request, or the envelope without its signature.
            try await expect(Array(request.advanced().utf8), status: 401, code: "R002")
            try await expect(Array(SExpr.list(["signed-request", request]).advanced().utf8), status: 401, code: "R002")
            // Badly signed: the request changed after signing, or signed by another key.
            var tampered = signed.advanced(width: 0)
            tampered = tampered.replacingOccurrences(of: "create-vpxi", with: "create-vpxj")
            try await expect(Array(tampered.utf8), status: 401, code: "R003")
            let other = try RequestSigner.sign(op: "create-vpxi", arguments: [policy], key: try RegistrarFixture.corpusKey("erin"), time: now)
            let forged: SExpr = ["signed-request", request, Array(other.tail)[1]]
            try await expect(Array(forged.advanced(width: 0).utf8), status: 401, code: "R003")
            // Stale: signed an hour ago.
            let stale = try RequestSigner.sign(op: "create-vpxi", arguments: [policy], key: alice, time: now - 3600)
            try await expect(Array(stale.advanced(width: 0).utf8), status: 401, code: "R004")
            // Oversized.
            try await expect([UInt8](repeating: UInt8(ascii: "a"), count: SignedRequest.defaultSizeLimit + 1), status: 413, code: "R006")
            // Malformed: not an S-expression, unbalanced, another shape, no nonce.
            try await expect(Array("{not base64!}".utf8), status: 400, code: "R001")
            try await expect(Array("(signed-request (request (op create-vpxi)".utf8), status: 400, code: "R001")
            try await expect(Array("(hello world)".utf8), status: 400, code: "R001")
            let noNonce = try RequestSigner.sign(op: "create-vpxi", arguments: [policy], key: alice, time: now, nonce: [1, 2])
            try await expect(Array(noNonce.advanced(width: 0).utf8), status: 400, code: "R001")
            // An unknown signer.
            let stranger = try RequestSigner.sign(op: "create-vpxi", arguments: [policy], key: keys[3], time: now)
            let strangerAnswer = try await registrar.client.post("v1/vpxis", body: Array(stranger.advanced(width: 0).utf8))
            XCTAssertEqual(strangerAnswer.errorCode, "R007", strangerAnswer.text)

            // Replayed: the first one is served, the same bytes again are refused.
            let first = try await registrar.client.post("v1/vpxis", body: Array(signed.advanced(width: 0).utf8))
            XCTAssertEqual(first.status, 201, first.text)
            let afterFirst = try await counts(database)
            let replay = try await registrar.client.post("v1/vpxis", body: Array(signed.advanced(width: 0).utf8))
            XCTAssertEqual(replay.status, 409)
            XCTAssertEqual(replay.errorCode, "R005")
            let afterReplay = try await counts(database)
            XCTAssertEqual(afterReplay, afterFirst)
        }
    }

    /// An unknown host is refused without a token; a used token is refused too.
    func testEnrollmentNeedsTokenOrApproval() async throws {
        let lyon = try RegistrarFixture.corpusKey("lyon")
        let database = try await SQLiteStore.open(path: directory.appendingPathComponent("r.sqlite").path)
        let registrar = try await RunningRegistrar.start(database: database, name: "lyon", key: lyon)
        try await withCleanup([registrar]) {
            let keys = try RegistrarFixture.slotKeys()
            let now = RegistrarFixture.now
            let bare = try await registrar.client.post("v1/enroll", op: "enroll",
                                                       arguments: try RegistrarFixture.enrollment(host: "cap-09", cpus: 1, slots: [keys[0]], registrar: lyon, now: now),
                                                       key: keys[90], time: now)
            XCTAssertEqual(bare.errorCode, "R009", bare.text)
            let wrong = try await registrar.client.post("v1/enroll", op: "enroll",
                                                        arguments: try RegistrarFixture.enrollment(host: "cap-09", cpus: 1, slots: [keys[0]], registrar: lyon, now: now, token: "nope"),
                                                        key: keys[90], time: now)
            XCTAssertEqual(wrong.errorCode, "R009", wrong.text)
            // A VM cert for another registrar.
            let token = try await registrar.service.createToken(host: "cap-09")
            let sophia = try RegistrarFixture.corpusKey("sophia")
            let misdirected = try await registrar.client.post("v1/enroll", op: "enroll",
                                                              arguments: try RegistrarFixture.enrollment(host: "cap-09", cpus: 1, slots: [keys[0]], registrar: sophia, now: now, token: token),
                                                              key: keys[90], time: now)
            XCTAssertEqual(misdirected.errorCode, "R010", misdirected.text)
            let hosts = try await database.read("SELECT COUNT(*) AS n FROM hosts", []).first?["n"].int
            XCTAssertEqual(hosts, 0)
            // With an operator's approval.
            let operatorKey = try RegistrarFixture.corpusKey("grenoble")
            try await registrar.service.registerUser(name: "olga", key: operatorKey, communities: [], clearance: nil, isOperator: true)
            let approve: SExpr = ["approve-host", ["name", "cap-09"], ["key-hash", .string(RegistrarService.keyHash(keys[90]))]]
            let signature = try SPKISignature.sign(canonical: approve.canonical, signer: try RSASigner(key: try operatorKey.requirePrivateKey()),
                                                   principal: operatorKey.publicKeySExpr)
            var arguments = try RegistrarFixture.enrollment(host: "cap-09", cpus: 1, slots: [keys[0]], registrar: lyon, now: now)
            arguments.append(["approval", ["signed-approval", approve, signature.sexp]])
            let approved = try await registrar.client.post("v1/enroll", op: "enroll", arguments: arguments, key: keys[90], time: now)
            XCTAssertEqual(approved.status, 200, approved.text)
        }
    }
}
