@testable import Registrar
import Foundation
import SPKI
import TestSupport
import XCTest

/// `vpxi-registrar user list`, `host list` and `vpxi list`: what the database holds, in
/// name order, as aligned tables; the same through the command line.
final class ListingTests: RegistrarScratchTestCase {
    func testListsUsersHostsAndVPXIs() async throws {
        try await withClockedLyon(slots: 2) { service, _, clock, start, _ in
            let alice = try RegistrarFixture.corpusKey("alice")
            for (name, machines) in [("web", 1), ("seg", 1)] {
                _ = try await service.handle(Array(try RequestSigner.sign(
                    op: "create-vpxi", arguments: [["policy", .string(RegistrarFixture.fragment(name, machines: machines, now: start))]],
                    key: alice, time: start).advanced(width: 0).utf8))
            }
            clock.set(start + 60)
            _ = try await service.handle(Array(try RequestSigner.sign(
                op: "release-vpxi", arguments: [["vpxi", "web"]], key: alice, time: start + 60).advanced(width: 0).utf8))

            let users = try await service.listUsers()
            XCTAssertEqual(users.map(\.name), ["alice", "carol", "erin"])
            XCTAssertEqual(users[0].keyHash, RegistrarService.keyHash(alice))
            XCTAssertEqual(users[0].communities, ["hospital"])
            XCTAssertEqual(users[1].clearance, "low")
            let hosts = try await service.listHosts()
            XCTAssertEqual(hosts.map(\.name), ["cap-01"])
            XCTAssertEqual(hosts[0].slots, 2)
            XCTAssertEqual(hosts[0].allocated, 1, "web's slot went back to the pool")
            XCTAssertEqual(hosts[0].approvedBy, "token")
            let vpxis = try await service.listVPXIs()
            XCTAssertEqual(vpxis.map(\.name), ["seg", "web"])
            XCTAssertEqual(vpxis.map(\.status), ["active", "released"])
            XCTAssertEqual(vpxis.map(\.machines), [1, 0])
            XCTAssertNil(vpxis[0].releasedAt)
            XCTAssertEqual(vpxis[1].releasedAt, start + 60)

            let date = SPKIDate(secondsSinceEpoch: start).rfc3339
            let released = SPKIDate(secondsSinceEpoch: start + 60).rfc3339
            XCTAssertEqual(RegistrarListing.vpxis(vpxis), """
                NAME  OWNER  REGISTRAR  STATUS    EPOCH  MACHINES  CREATED               RELEASED
                seg   alice  lyon       active    0      1         \(date)  -
                web   alice  lyon       released  0      0         \(date)  \(released)

                """)
            let hostTable = RegistrarListing.hosts(hosts).split(separator: "\n")
            XCTAssertEqual(hostTable.first, "NAME    REGISTRAR  CPUS  MEMORY  SLOTS  ALLOCATED  ENROLLED              APPROVED BY")
            XCTAssertTrue(hostTable.last?.hasPrefix("cap-01  lyon       2     ") ?? false, String(describing: hostTable.last))
            XCTAssertTrue(RegistrarListing.users(users).contains("\nalice  high       no        hospital     sha256:\(users[0].keyHash.prefix(16))  "))
        }
    }

    func testTableAndMemoryFormatting() {
        XCTAssertEqual(RegistrarListing.table(["A", "LONG"], [["xyz", ""], ["b", "c"]]), "A    LONG\nxyz  -\nb    c\n")
        XCTAssertEqual(RegistrarListing.table(["A"], []), "A\n")
        XCTAssertEqual(RegistrarListing.memory(16 << 30), "16 GiB")
        XCTAssertEqual(RegistrarListing.memory(1536 << 20), "1536 MiB")
        XCTAssertEqual(RegistrarListing.memory(1000), "1000 B")
        XCTAssertEqual(RegistrarListing.memory(0), "0 B")
    }

    /// The commands print the tables, and an empty database prints the headers only.
    func testCommandLine() throws {
        let tool = PackagePaths.executable("vpxi-registrar")
        let db = directory.appendingPathComponent("cli.sqlite").path
        let identity = ["--db", db, "--registrar", "lyon", "--registrar-key", PackagePaths.corpus("keys/lyon.key").path]
        let empty = try ExternalTool.run(tool, ["host", "list"] + identity)
        XCTAssertEqual(empty.status, 0, empty.stderrText)
        XCTAssertEqual(empty.stdoutText, "NAME  REGISTRAR  CPUS  MEMORY  SLOTS  ALLOCATED  ENROLLED  APPROVED BY\n")
        let added = try ExternalTool.run(tool, ["user", "add", "--name", "olga", "--key", PackagePaths.corpus("keys/bob.key").path, "--operator"] + identity)
        XCTAssertEqual(added.status, 0, added.stderrText)
        let users = try ExternalTool.run(tool, ["user", "list"] + identity)
        XCTAssertEqual(users.status, 0, users.stderrText)
        let lines = users.stdoutText.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[1].hasPrefix("olga  -          yes       -            sha256:"), String(lines[1]))
        let vpxis = try ExternalTool.run(tool, ["vpxi", "list"] + identity)
        XCTAssertEqual(vpxis.stdoutText, "NAME  OWNER  REGISTRAR  STATUS  EPOCH  MACHINES  CREATED  RELEASED\n")
        let noKey = try ExternalTool.run(tool, ["vpxi", "list", "--db", db])
        XCTAssertEqual(noKey.status, 2, noKey.stderrText)
    }
}
