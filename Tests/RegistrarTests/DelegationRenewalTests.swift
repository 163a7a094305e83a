import Foundation
import Registrar
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// Which accepted delegation each epoch's issue carries: one that ends early leaves the
/// later epochs' certs pending until the owner signs again; adding the user to another
/// machine, or with more rights, asks only for what is not signed yet, keeps what is, and
/// the newest signature replaces the older one. On the registrar's service with a test
/// clock (the HTTP side is `DelegationFlowTests`).
final class DelegationRenewalTests: RegistrarScratchTestCase {

    /// Sends a request signed by alice at the clock's time.
    func send(_ service: RegistrarService, _ clock: TestClock, _ op: String, _ arguments: [SExpr]) async throws -> SExpr {
        let alice = try RegistrarFixture.corpusKey("alice")
        return try await service.handle(Array(try RequestSigner.sign(op: op, arguments: arguments, key: alice, time: clock.now).advanced(width: 0).utf8))
    }

    /// The certs of an add-user answer's `(to-sign ...)`, by machine.
    func toSign(_ answer: SExpr) throws -> [String: Cert] {
        var certs: [String: Cert] = [:]
        var warnings: [SPKIWarning] = []
        for request in try XCTUnwrap(answer.first("to-sign")).tail {
            certs[try XCTUnwrap(request.first("machine")?.tail.first?.text)] = try Cert(parsing: try XCTUnwrap(request.first("cert")), warnings: &warnings)
        }
        return certs
    }

    /// `(delegation (machine M) (sequence CERT SIGNATURE))`, signed by alice.
    func delegation(_ machine: String, _ cert: Cert) throws -> SExpr {
        ["delegation", ["machine", .string(machine)], ["sequence", cert.sexp, try cert.sign(with: try RegistrarFixture.corpusKey("alice")).sexp]]
    }

    /// erin's chains as stored: the document, and the machines whose chain has a cert pending.
    func erinsChains(_ service: RegistrarService) async throws -> (document: SExpr, pending: [String]) {
        let pulled = try await service.chains(vpxi: "seg", user: "erin", ifNoneMatch: nil)
        let document = try SExpr.parse(try XCTUnwrap(pulled.body))
        let pending = document.tail.filter { $0.head == "machine-chain" && $0.first("pending") != nil }.compactMap { $0.first("machine")?.tail.first?.text }
        return (document, pending.sorted())
    }

    func testShortDelegationLeavesLaterEpochsPending() async throws {
        try await withClockedLyon(slots: 2) { service, _, clock, start, _ in
            _ = try await send(service, clock, "create-vpxi", [["policy", .string(RegistrarFixture.fragment("seg", machines: 2, now: start))]])
            let added = try await send(service, clock, "add-user", [["vpxi", "seg"], ["user", "erin"], ["rights", "ssh"], ["on", "node[1]"]])
            let requested = try XCTUnwrap(try toSign(added)["node[1]"])
            // alice signs for the first half hour only.
            var short = requested
            short.source = nil
            short.validity.notAfter = SPKIDate(secondsSinceEpoch: start + 1800)
            _ = try await send(service, clock, "delegate", [["vpxi", "seg"], try delegation("node[1]", short)])
            let epoch0 = try await erinsChains(service)
            XCTAssertEqual(epoch0.pending, [])
            XCTAssertEqual(try RegistrarFixture.reduce(directory, epoch0.document, subject: FlowTests.pub("erin"), at: start + 600), ["node[1]"])
            XCTAssertEqual(try RegistrarFixture.reduce(directory, epoch0.document, subject: FlowTests.pub("erin"), at: start + 1800 + 60), [],
                           "the chain ends with alice's delegation")

            // Epoch 1 (from start - 600 + 1 h) is past it: erin's cert is pending again.
            let epoch1Start = start - 600 + 3600
            clock.set(epoch1Start - 120)
            let renewed = try await service.renewDue()
            XCTAssertEqual(renewed, 1)
            let pending = try await erinsChains(service)
            XCTAssertEqual(pending.document.first("epoch")?.tail.first?.text, "1")
            XCTAssertEqual(pending.pending, ["node[1]"])

            // alice signs the whole window: epoch 1 is issued again with it.
            let answer = try await send(service, clock, "delegate", [["vpxi", "seg"], try delegation("node[1]", requested)])
            XCTAssertEqual(answer.first("chains")?.first("epoch")?.tail.first?.text, "1")
            let epoch1 = try await erinsChains(service)
            XCTAssertEqual(epoch1.pending, [])
            XCTAssertEqual(try RegistrarFixture.reduce(directory, epoch1.document, subject: FlowTests.pub("erin"), at: epoch1Start + 3600), ["node[1]"])
        }
    }

    func testAddingAgainKeepsWhatIsSigned() async throws {
        try await withClockedLyon(slots: 2) { service, database, clock, start, _ in
            _ = try await send(service, clock, "create-vpxi", [["policy", .string(RegistrarFixture.fragment("seg", machines: 2, now: start))]])
            let first = try toSign(try await send(service, clock, "add-user", [["vpxi", "seg"], ["user", "erin"], ["rights", "ssh"], ["on", "node[1]"]]))
            XCTAssertEqual(first.keys.sorted(), ["node[1]"])
            _ = try await send(service, clock, "delegate", [["vpxi", "seg"], try delegation("node[1]", try XCTUnwrap(first["node[1]"]))])

            // erin on node[2] too: only node[2]'s cert is asked for; node[1]'s chain stays whole.
            let second = try toSign(try await send(service, clock, "add-user", [["vpxi", "seg"], ["user", "erin"], ["rights", "ssh"], ["on", "node[2]"]]))
            XCTAssertEqual(second.keys.sorted(), ["node[2]"])
            let partly = try await erinsChains(service)
            XCTAssertEqual(partly.pending, ["node[2]"])
            XCTAssertEqual(try RegistrarFixture.reduce(directory, partly.document, subject: FlowTests.pub("erin")), ["node[1]"])
            _ = try await send(service, clock, "delegate", [["vpxi", "seg"], try delegation("node[2]", try XCTUnwrap(second["node[2]"]))])
            let both = try await erinsChains(service)
            XCTAssertEqual(both.pending, [])
            XCTAssertEqual(try RegistrarFixture.reduce(directory, both.document, subject: FlowTests.pub("erin")).sorted(), ["node[1]", "node[2]"])

            // More rights on node[1]: until alice signs the new cert, erin keeps ssh there
            // (the old delegation is within the new grant); then she has console as well.
            let third = try toSign(try await send(service, clock, "add-user", [["vpxi", "seg"], ["user", "erin"], ["rights", "console"], ["on", "node[1]"]]))
            XCTAssertEqual(third.keys.sorted(), ["node[1]"])
            let kept = try await erinsChains(service)
            XCTAssertEqual(kept.pending, [])
            XCTAssertFalse(try reducedEntry(kept.document, "node[1]").contains("console"))
            _ = try await send(service, clock, "delegate", [["vpxi", "seg"], try delegation("node[1]", try XCTUnwrap(third["node[1]"]))])
            let widened = try await erinsChains(service)
            XCTAssertEqual(widened.pending, [])
            XCTAssertTrue(try reducedEntry(widened.document, "node[1]").contains("console"))
            XCTAssertEqual(try RegistrarFixture.reduce(directory, widened.document, subject: FlowTests.pub("erin")).sorted(), ["node[1]", "node[2]"])
            let recorded = try await database.read("SELECT COUNT(*) AS n FROM delegations", [])
            XCTAssertEqual(recorded.first?["n"].int, 3, "every delegation accepted stays on record")
        }
    }

    /// What `spki reduce` grants erin on a machine through its chain: the entry, as text.
    func reducedEntry(_ document: SExpr, _ machine: String) throws -> String {
        let entry = try XCTUnwrap(document.tail.first { $0.head == "machine-chain" && $0.first("machine")?.tail.first?.text == machine })
        let aclPath = directory.appendingPathComponent("reduce-acl.sexp")
        let chainPath = directory.appendingPathComponent("reduce-chain.sexp")
        try Data(try XCTUnwrap(entry.first("acl")).advanced().utf8).write(to: aclPath)
        try Data(try XCTUnwrap(entry.first("sequence")).advanced().utf8).write(to: chainPath)
        let reduced = try ExternalTool.run(PackagePaths.executable("spki"), ["reduce", "--acl", aclPath.path, "--subject", "@" + FlowTests.pub("erin"), chainPath.path])
        XCTAssertEqual(reduced.status, 0, reduced.stderrText)
        let entries = try SExpr.parse(reduced.stdout).tail.filter { $0.head == "entry" }
        XCTAssertEqual(entries.count, 1, reduced.stdoutText)
        XCTAssertTrue(reduced.stdoutText.contains("ssh"), reduced.stdoutText)
        return try XCTUnwrap(entries.first).advanced(width: 0)
    }
}
