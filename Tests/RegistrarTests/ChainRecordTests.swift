@testable import Registrar
import Foundation
import PolicyCompiler
import SExpr
import TestSupport
import XCTest

/// What a renewal records since migration 5 (`RegistrarService+Record`,
/// `RegistrarService+ChainDocuments`): the chains built from the certs' rows when pulled
/// are byte for byte the documents that were stored whole before (the `SExpr` trees'
/// rendering), their ETags the digest of the canonical document; the enrolled certs are
/// recorded once per vpxi; rows written in the old form are still served as they were.
final class ChainRecordTests: RegistrarScratchTestCase {
    /// What was stored before migration 5 for each user's chains of `issue`: the document
    /// rendered from the trees, and its ETag then (the digest of that text).
    static func oldChains(_ issue: EpochIssue) -> [String: (text: String, canonical: [UInt8])] {
        var trees: [String: (body: SExpr, signed: Bool)] = [:]
        for cert in issue.certs { trees[cert.hash] = (cert.body, cert.signed) }
        var documents: [String: (text: String, canonical: [UInt8])] = [:]
        for (user, templates) in issue.chains {
            let tree = EpochIssue.chainDocument(vpxi: issue.vpxi, user: user, epoch: issue.epoch.index, templates: templates, certs: trees)
            documents[user] = (tree.advanced() + "\n", tree.canonical)
        }
        return documents
    }

    /// The epoch `epoch` of `vpxi` issued afresh (compiled again, nothing kept): the reference.
    func reference(_ service: RegistrarService, vpxi: String, epoch: Int, at now: Int64) async throws -> EpochIssue {
        let policyRows = try await service.database.read("SELECT policy FROM vpxis WHERE name = $1", [.text(vpxi)])
        let policy = try XCTUnwrap(policyRows.first).text("policy")
        var slots: [String: VPXICompiler.Slot] = [:]
        for row in try await service.slotRows(vpxi: vpxi) {
            slots[try row.text("machine")] = try RegistrarService.slot(row, host: try row.text("host"))
        }
        let compiled = try service.compiler.compile(policy: policy) { (host, machine) throws(RegistrarError) in
            guard let slot = slots[machine], slot.host == host else { throw RegistrarError(.internal, "machine `\(machine)` moved") }
            return slot
        }
        let schedule = compiled.model.vpxis[compiled.vpxi].schedule
        return try EpochIssue.issue(compiled, epoch: schedule.epoch(epoch), at: now, bundleSource: service.bundleSource)
    }

    /// Checks every user's chains of every vpxi as pulled against the reference issue of
    /// the epoch on record; returns the ETags.
    @discardableResult
    func checkPulls(_ service: RegistrarService, vpxis: [String], at now: Int64, file: StaticString = #filePath, line: UInt = #line) async throws
        -> [String: String] {
        var etags: [String: String] = [:]
        for vpxi in vpxis {
            let epochRows = try await service.database.read("SELECT epoch FROM vpxis WHERE name = $1", [.text(vpxi)])
            let epoch = Int(try XCTUnwrap(epochRows.first).int("epoch"))
            let issue = try await reference(service, vpxi: vpxi, epoch: epoch, at: now)
            let old = Self.oldChains(issue)
            XCTAssertFalse(old.isEmpty, file: file, line: line)
            for (user, document) in old {
                let pulled = try await service.chains(vpxi: vpxi, user: user, ifNoneMatch: nil)
                XCTAssertEqual(String(decoding: try XCTUnwrap(pulled.body), as: UTF8.self), document.text, "\(vpxi) \(user) \(epoch)", file: file, line: line)
                XCTAssertEqual(pulled.etag, RegistrarService.etag(document.canonical), "\(vpxi) \(user) \(epoch)", file: file, line: line)
                let again = try await service.chains(vpxi: vpxi, user: user, ifNoneMatch: pulled.etag)
                XCTAssertNil(again.body, "unchanged: one round trip", file: file, line: line)
                etags[vpxi + "/" + user] = pulled.etag
            }
        }
        return etags
    }

    /// Random vpxis (1 to 3 machines, one or two users) renewed over random steps of the
    /// clock: each epoch's pulled chains are the old documents, byte for byte; unchanged
    /// content keeps its ETag, a new epoch gets a new one; the enrolled certs are on record
    /// once per vpxi, the registrar's own certs once per epoch.
    func testPulledChainsAreTheDocumentsStoredBefore() async throws {
        try await withClockedLyon(slots: 8) { service, database, clock, start, _ in
            try await self.checkRandomRenewals(service, database, clock, start, seed: 0x5EED_0010)
        }
    }

    /// The same on PostgreSQL (a server of the test's own).
    func testPulledChainsAreTheDocumentsStoredBeforeOnPostgres() async throws {
        let server = try PostgresServer.start()
        defer { server.stop() }
        let database = try await PostgresStore.open(server.url)
        try await withClockedLyon(on: database, slots: 8) { service, database, clock, start, _ in
            try await self.checkRandomRenewals(service, database, clock, start, seed: 0x5EED_0011)
        }
    }

    func checkRandomRenewals(_ service: RegistrarService, _ database: any RegistrarDatabase, _ clock: TestClock, _ start: Int64,
                             seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        var names: [String] = []
        var machines: [String: Int] = [:]
        var used = 0
        for index in 0..<3 {
            let count = Int.random(in: 1...3, using: &random)
            guard used + count <= 8 else { break }
            used += count
            let name = "v\(index)"
            let extra = Bool.random(using: &random) ? "  grant erin ssh on node[1]\n" : ""
            let created = try await service.handle(Array(try RequestSigner.sign(
                op: "create-vpxi", arguments: [["policy", .string(RegistrarFixture.fragment(name, machines: count, now: start, extra: extra))]],
                key: try RegistrarFixture.corpusKey("alice"), time: start).advanced(width: 0).utf8))
            XCTAssertEqual(created.first("epoch")?.tail.first?.text, "0")
            names.append(name)
            machines[name] = count
        }
        var previous = try await self.checkPulls(service, vpxis: names, at: clock.now)
        // The same again: nothing changed, nothing new.
        let same = try await self.checkPulls(service, vpxis: names, at: clock.now)
        XCTAssertEqual(same, previous)
        var time = start - 600
        var epochs = 1
        for _ in 0..<4 {
            time += 3600 * Int64.random(in: 1...2, using: &random)
            clock.set(time - Int64.random(in: 60...200, using: &random))
            let renewed = try await service.renewDue()
            XCTAssertEqual(renewed, names.count)
            epochs += 1
            let etags = try await self.checkPulls(service, vpxis: names, at: clock.now)
            for (key, etag) in etags { XCTAssertNotEqual(previous[key], etag, "\(key): a new epoch, a new ETag") }
            previous = etags
        }
        for name in names {
            let enrolled = try await database.read("SELECT COUNT(*) AS n, MIN(every_epoch) AS e FROM certs WHERE vpxi = $1 AND flow = 'resource-registrar'",
                                                   [.text(name)])
            XCTAssertEqual(enrolled.first?["n"].int, Int64(machines[name]!), "\(name): each enrolled cert once")
            XCTAssertEqual(enrolled.first?["e"].int, 1)
            let own = try await database.read("SELECT COUNT(DISTINCT epoch) AS n FROM certs WHERE vpxi = $1 AND issued_by = 'lyon' AND flow <> 'resource-registrar'",
                                              [.text(name)])
            XCTAssertEqual(own.first?["n"].int, Int64(epochs), "\(name): the registrar's certs of every epoch")
            let empty = try await database.read("SELECT COUNT(*) AS n FROM certs WHERE vpxi = $1 AND (body <> '' OR data IS NULL)", [.text(name)])
            XCTAssertEqual(empty.first?["n"].int, 0, "recorded as canonical bytes")
        }
        let bodies = try await database.read("SELECT COUNT(*) AS n FROM chains WHERE body <> ''", [])
        XCTAssertEqual(bodies.first?["n"].int, 0, "no document stored whole")
    }

    /// Rows in the form written before migration 5 (certs as text, enrolled certs once per
    /// epoch, chain documents stored whole with the digest of their text as ETag) are
    /// served as before; `refreshChains` brings them to the new form with the same bytes.
    func testRowsWrittenBeforeAreServedAsBefore() async throws {
        try await withClockedLyon(slots: 3) { service, database, clock, start, _ in
            _ = try await service.handle(Array(try RequestSigner.sign(
                op: "create-vpxi", arguments: [["policy", .string(RegistrarFixture.fragment("seg", machines: 3, now: start, extra: "  grant erin ssh on node[2]\n"))]],
                key: try RegistrarFixture.corpusKey("alice"), time: start).advanced(width: 0).utf8))
            let issue = try await self.reference(service, vpxi: "seg", epoch: 0, at: clock.now)
            let old = Self.oldChains(issue)
            // Back to the old form.
            try await database.transaction { tx in
                for row in try await tx.query("SELECT epoch, hash, data FROM certs WHERE vpxi = 'seg'", []) {
                    let text = try SExpr.parse(try XCTUnwrap(row["data"].bytes)).advanced(width: 0)
                    try await tx.query("UPDATE certs SET body = $1, data = NULL, every_epoch = NULL WHERE vpxi = 'seg' AND epoch = $2 AND hash = $3",
                                       [.text(text), row["epoch"], row["hash"]])
                }
                for (user, document) in old {
                    try await tx.query("UPDATE chains SET body = $1, etag = $2 WHERE vpxi = 'seg' AND principal = $3",
                                       [.text(document.text), .text(RegistrarService.etag(Array(document.text.utf8))), .text(user)])
                }
            }
            service.etags.forget(vpxi: "seg")
            for (user, document) in old {
                let pulled = try await service.chains(vpxi: "seg", user: user, ifNoneMatch: nil)
                XCTAssertEqual(String(decoding: try XCTUnwrap(pulled.body), as: UTF8.self), document.text)
                XCTAssertEqual(pulled.etag, RegistrarService.etag(Array(document.text.utf8)), "an old row keeps its ETag")
                let again = try await service.chains(vpxi: "seg", user: user, ifNoneMatch: pulled.etag)
                XCTAssertNil(again.body)
            }
            // The owner's answer reads the same document.
            let answer = try await database.transaction { tx in try await service.answer(vpxi: "seg", user: "alice", in: tx) }
            XCTAssertEqual(answer.first("chains")?.advanced(), try SExpr.parse(try XCTUnwrap(old["alice"]).text).advanced())
            // Refreshed (as after a pending cert is signed): built from the old certs' text.
            try await database.transaction { tx in try await service.refreshChains(vpxi: "seg", in: tx) }
            service.etags.forget(vpxi: "seg")
            for (user, document) in old {
                let pulled = try await service.chains(vpxi: "seg", user: user, ifNoneMatch: nil)
                XCTAssertEqual(String(decoding: try XCTUnwrap(pulled.body), as: UTF8.self), document.text)
                XCTAssertEqual(pulled.etag, RegistrarService.etag(document.canonical))
            }
            // The next epoch on top of the old rows: the enrolled certs recorded once more
            // (marked), then no more.
            clock.set(start - 600 + 3600 - 100)
            let first = try await service.renewDue()
            XCTAssertEqual(first, 1)
            clock.set(start - 600 + 7200 - 100)
            let second = try await service.renewDue()
            XCTAssertEqual(second, 1)
            try await self.checkPulls(service, vpxis: ["seg"], at: clock.now)
            let enrolled = try await database.read("""
                SELECT COUNT(*) AS n, COUNT(every_epoch) AS marked FROM certs WHERE vpxi = 'seg' AND flow = 'resource-registrar'
                """, [])
            XCTAssertEqual(enrolled.first?["n"].int, 6, "3 of epoch 0 in the old form, then 3 once for every later epoch")
            XCTAssertEqual(enrolled.first?["marked"].int, 3)
        }
    }

    /// An epoch issued again on top of its rows in the old form (a delegation re-issues
    /// the current epoch): the enrolled certs already on record for it are left as they are.
    func testEpochIssuedAgainOverOldRows() async throws {
        try await withClockedLyon(slots: 2) { service, database, clock, start, _ in
            _ = try await service.handle(Array(try RequestSigner.sign(
                op: "create-vpxi", arguments: [["policy", .string(RegistrarFixture.fragment("seg", machines: 2, now: start))]],
                key: try RegistrarFixture.corpusKey("alice"), time: start).advanced(width: 0).utf8))
            _ = try await database.transaction { tx in
                try await tx.query("UPDATE certs SET every_epoch = NULL WHERE vpxi = 'seg'", [])
            }
            let issue = try await self.reference(service, vpxi: "seg", epoch: 0, at: clock.now)
            try await database.transaction { tx in try await service.store(issue, requester: "alice", in: tx, now: clock.now) }
            let rows = try await database.read("SELECT COUNT(*) AS n FROM certs WHERE vpxi = 'seg' AND flow = 'resource-registrar'", [])
            XCTAssertEqual(rows.first?["n"].int, 2)
            try await self.checkPulls(service, vpxis: ["seg"], at: clock.now)
        }
    }

    /// A database at version 4 migrates to 5 with its rows readable: a cert's text, a
    /// chain document stored whole.
    func testMigrationFromVersion4() async throws {
        let database = try await SQLiteStore.open(path: directory.appendingPathComponent("v4.sqlite").path)
        try await withCleanup([], databases: [database]) {
            try await database.transaction { tx in
                try await tx.query("CREATE TABLE schema_version (version BIGINT NOT NULL)", [])
                for (index, statements) in Migrations.all.prefix(4).enumerated() {
                    for statement in statements { try await tx.query(statement, []) }
                    try await tx.query("INSERT INTO schema_version (version) VALUES ($1)", [.int(Int64(index + 1))])
                }
                try await tx.query("""
                    INSERT INTO certs (hash, vpxi, epoch, flow, machine, issuer, subject, body, signed, not_after, requester, issued_by, issued_at)
                    VALUES ('h', 'seg', 0, 'registrar-user', 'node[1]', 'lyon', 'alice', '(sequence (cert (subject "x")) (signature "s"))', 1, 9, 'alice', 'lyon', 1)
                    """, [])
                try await tx.query("INSERT INTO chains (vpxi, principal, epoch, template, body, etag) VALUES ('seg', 'alice', 0, '(templates)', '(chains)\n', '\"e\"')", [])
            }
            try await Migrations.run(on: database)
            let version = try await database.read("SELECT MAX(version) AS v FROM schema_version", [])
            XCTAssertEqual(version.first?["v"].int, Int64(Migrations.latest))
            XCTAssertGreaterThanOrEqual(Migrations.latest, 5)
            let certRows = try await database.read("SELECT hash, body, data, every_epoch FROM certs", [])
            let cert = try XCTUnwrap(certRows.first)
            XCTAssertNil(cert["data"].bytes)
            XCTAssertEqual(try RegistrarService.recordedCertValue(cert), ["sequence", ["cert", ["subject", "x"]], ["signature", "s"]])
            let chain = try await database.read("SELECT body, etag FROM chains", [])
            XCTAssertEqual(chain.first?["body"].text, "(chains)\n")
        }
    }

    /// The rendered documents kept by ETag: bounded by bytes, the oldest out first.
    func testChainDocumentCacheIsBounded() {
        let cache = ChainDocumentCache(capacity: 100)
        cache.remember(etag: "a", document: Array(repeating: 1, count: 40))
        cache.remember(etag: "b", document: Array(repeating: 2, count: 40))
        XCTAssertEqual(cache.document(etag: "a")?.count, 40)
        cache.remember(etag: "c", document: Array(repeating: 3, count: 40))
        XCTAssertNil(cache.document(etag: "a"))
        XCTAssertEqual(cache.document(etag: "b"), Array(repeating: 2, count: 40))
        XCTAssertEqual(cache.document(etag: "c"), Array(repeating: 3, count: 40))
        cache.remember(etag: "big", document: Array(repeating: 4, count: 101))
        XCTAssertNil(cache.document(etag: "big"))
        XCTAssertEqual(cache.count, 2)
    }
}
