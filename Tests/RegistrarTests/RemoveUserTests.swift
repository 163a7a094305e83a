import Backends
import Foundation
@testable import Registrar
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// remove-user, the inverse of add-user: erin's added grant leaves the policy, the current
/// epoch's bundle no longer logs erin in, erin's chains are withdrawn, a renewal leaves
/// erin out, and erin can be added again. The owner, the rights a vpxi was created with,
/// another user's request and a user with nothing added are refused, with nothing changed.
final class RemoveUserTests: RegistrarScratchTestCase {
    func testRemovingAnAddedUserWithdrawsTheirLoginsAndChains() async throws {
        try await withClockedLyon(slots: 2) { service, database, clock, start, _ in
            try await self.removeErin(service, database, clock, start)
        }
    }

    func testRemovingAnAddedUserOnPostgreSQL() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        try await withClockedLyon(on: try await PostgresStore.open(server.url), slots: 2) { service, database, clock, start, _ in
            try await self.removeErin(service, database, clock, start)
        }
    }

    func removeErin(_ service: RegistrarService, _ database: any RegistrarDatabase, _ clock: TestClock, _ start: Int64) async throws {
        do {
            let alice = try RegistrarFixture.corpusKey("alice")
            func send(_ op: String, _ arguments: [SExpr], key: RSAKeyFile? = nil) async throws -> SExpr {
                try await service.handle(Array(try RequestSigner.sign(op: op, arguments: arguments, key: key ?? alice, time: clock.now).advanced(width: 0).utf8))
            }
            func authorized() async throws -> String {
                let bundle = try await service.bundle(host: "cap-01", vpxi: "seg", ifNoneMatch: nil)
                let archive = try BundleArchive.decode(try XCTUnwrap(bundle.body))
                return String(decoding: try XCTUnwrap(archive.file("authorized.sexp")).bytes, as: UTF8.self)
            }
            func refusal(_ op: String, _ arguments: [SExpr], key: RSAKeyFile? = nil) async throws -> RegistrarError? {
                do {
                    _ = try await send(op, arguments, key: key)
                    return nil
                } catch let error as RegistrarError {
                    return error
                }
            }
            _ = try await send("create-vpxi", [["policy", .string(RegistrarFixture.fragment("seg", machines: 2, now: start))]])
            let added = try await send("add-user", [["vpxi", "seg"], ["user", "erin"], ["rights", "ssh"], ["on", "node[1]"]])
            let request = try XCTUnwrap(added.first("to-sign")?.tail.first)
            var warnings: [SPKIWarning] = []
            let cert = try Cert(parsing: try XCTUnwrap(request.first("cert")), warnings: &warnings)
            _ = try await send("delegate", [["vpxi", "seg"], ["delegation", ["machine", "node[1]"], ["sequence", cert.sexp, try cert.sign(with: alice).sexp]]])
            let before = try await authorized()
            XCTAssertTrue(before.contains("erin"), "erin logs in before the removal")
            let aliceBefore = try await service.chains(vpxi: "seg", user: "alice", ifNoneMatch: nil)
            // erin pulls her chains (so that any cache of them is warm) before the removal.
            let erinBefore = try await service.chains(vpxi: "seg", user: "erin", ifNoneMatch: nil)
            XCTAssertNotNil(erinBefore.body)

            // Refused, with nothing changed: carol is not the owner; alice cannot remove
            // herself; carol has nothing added.
            let carol = try RegistrarFixture.corpusKey("carol")
            let notOwner = try await refusal("remove-user", [["vpxi", "seg"], ["user", "erin"]], key: carol)
            XCTAssertEqual(notOwner?.code, .forbidden)
            let herself = try await refusal("remove-user", [["vpxi", "seg"], ["user", "alice"]])
            XCTAssertEqual(herself?.code, .forbidden)
            let nothing = try await refusal("remove-user", [["vpxi", "seg"], ["user", "carol"]])
            XCTAssertEqual(nothing?.code, .notFound)
            XCTAssertEqual(nothing?.message, "user `carol` has no rights in vpxi `seg` added by `alice`")
            let noVPXI = try await refusal("remove-user", [["vpxi", "nosuch"], ["user", "erin"]])
            XCTAssertEqual(noVPXI?.code, .notFound)
            let unchanged = try await authorized()
            XCTAssertEqual(unchanged, before, "a refused removal changes nothing")

            let removed = try await send("remove-user", [["vpxi", "seg"], ["user", "erin"]])
            XCTAssertEqual(removed.advanced(width: 0), "(removed (vpxi seg) (user erin) (epoch \"0\"))")
            let after = try await authorized()
            XCTAssertFalse(after.contains("erin"), "the bundle of the same epoch no longer logs erin in")
            for etag in [nil, erinBefore.etag] {
                do {
                    _ = try await service.chains(vpxi: "seg", user: "erin", ifNoneMatch: etag)
                    XCTFail("erin's chains are withdrawn")
                } catch {
                    XCTAssertEqual(error.code, .notFound)
                }
            }
            let policy = try await database.read("SELECT policy FROM vpxis WHERE name = 'seg'", []).first?["policy"].text
            let stored = try XCTUnwrap(policy)
            XCTAssertFalse(stored.contains("grant erin"), stored)
            // alice keeps her rights: her chain still reduces to both machines.
            let aliceAfter = try await service.chains(vpxi: "seg", user: "alice", ifNoneMatch: nil)
            let aliceDocument = try SExpr.parse(try XCTUnwrap(aliceAfter.body ?? aliceBefore.body))
            XCTAssertEqual(try RegistrarFixture.reduce(directory, aliceDocument, subject: FlowTests.pub("alice")), ["node[1]", "node[2]"])
            // Again: nothing left to remove.
            let twice = try await refusal("remove-user", [["vpxi", "seg"], ["user", "erin"]])
            XCTAssertEqual(twice?.code, .notFound)

            // The next epoch's renewal leaves erin out.
            clock.set(start - 600 + 3600 - 120)
            let renewed = try await service.renewDue()
            XCTAssertEqual(renewed, 1)
            let renewedBundle = try await authorized()
            XCTAssertFalse(renewedBundle.contains("erin"))
            let erinChains = try await database.read("SELECT COUNT(*) AS n FROM chains WHERE vpxi = 'seg' AND principal = 'erin'", [])
            XCTAssertEqual(erinChains.first?["n"].int, 0)

            // erin can be added back; the delegation alice signed for the same window serves again.
            let again = try await send("add-user", [["vpxi", "seg"], ["user", "erin"], ["rights", "ssh"], ["on", "node[1]"]])
            XCTAssertEqual(again.head, "vpxi")
            _ = try await service.chains(vpxi: "seg", user: "erin", ifNoneMatch: nil)
        }
    }

    /// Rights a vpxi was created with are its policy's, not add-user's: refused.
    func testRightsFromTheCreationAreNotRemoved() async throws {
        try await withClockedLyon(slots: 2) { service, _, clock, start, _ in
            let alice = try RegistrarFixture.corpusKey("alice")
            let fragment = RegistrarFixture.fragment("seg", machines: 1, now: start, extra: "grant erin ssh on all")
            _ = try await service.handle(Array(try RequestSigner.sign(op: "create-vpxi", arguments: [["policy", .string(fragment)]],
                                                                        key: alice, time: clock.now).advanced(width: 0).utf8))
            do {
                _ = try await service.handle(Array(try RequestSigner.sign(op: "remove-user", arguments: [["vpxi", "seg"], ["user", "erin"]],
                                                                            key: alice, time: clock.now).advanced(width: 0).utf8))
                XCTFail("refused")
            } catch let error as RegistrarError {
                XCTAssertEqual(error.code, .notFound)
                XCTAssertEqual(error.message, "user `erin`'s rights in vpxi `seg` were granted when it was created, not added with add-user")
                XCTAssertNotNil(error.help)
            }
        }
    }

    func testThePolicyLosesOnlyTheAddedLinesOfThatUser() {
        let policy = "vpxi seg {\n  owner alice\n  grant alice ssh on all\n  grant erin via alice ssh on node[1]\n  grant erinx via alice ssh on all\n  grant erin via bob ssh on all\n}"
        XCTAssertEqual(RegistrarService.policy(policy, removingGrantsOf: "erin", via: "alice"),
                       "vpxi seg {\n  owner alice\n  grant alice ssh on all\n  grant erinx via alice ssh on all\n  grant erin via bob ssh on all\n}")
        XCTAssertEqual(RegistrarService.policy(policy, removingGrantsOf: "carol", via: "alice"), policy)
    }
}
