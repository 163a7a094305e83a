import Diagnostics
import PolicyLanguage
import SPKI
import TestSupport
import XCTest
@testable import PolicyCompiler

final class SemanticAnalyzerTests: XCTestCase {
    func testThePoolIsResolvedWithUnitsAndRangesExpanded() {
        let model = Fixtures.model(Fixtures.pool)
        XCTAssertEqual(model.registrars.map(\.name), ["lyon", "sophia"])
        XCTAssertEqual(model.hosts.map(\.name), ["h-1", "h-2", "h-3", "h-4", "s-1", "s-2"])
        let h2 = model.hosts[1]
        XCTAssertEqual(h2.locators, ["192.0.2.2"])
        XCTAssertEqual(h2.cpus, 4)
        XCTAssertEqual(h2.memoryBytes, 8 << 30)
        XCTAssertEqual(h2.diskBytes, 100 << 30)
        XCTAssertEqual(h2.hypervisor, .kvm)
        XCTAssertEqual(h2.registration?.registrar, 0)
        XCTAssertEqual(h2.trustedBy.map { model.communities[$0].name }, ["inria", "hospital-lyon"])
        XCTAssertEqual(h2.site, "lyon")
        XCTAssertEqual(h2.costPerHour, 1)
        XCTAssertEqual(model.hosts[5].diskBytes, 1 << 40)
        XCTAssertEqual(model.users.map(\.name), ["alice", "bob", "carol"])
        XCTAssertEqual(model.users[0].clearance, .high)
        XCTAssertEqual(model.users[2].clearance, nil)
    }

    func testKeysInEveryFormatAreLoaded() {
        let model = Fixtures.model(Fixtures.pool + """
            user dave key inline "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHxbP0dR0s8XeoYvO9mnqUf4mWmQK1rU5pPjL9sYx3fE dave@hospital"
            """)
        let byName = Dictionary(uniqueKeysWithValues: model.users.map { ($0.name, $0.key) })
        XCTAssertEqual(byName["alice"]?.algorithm, "rsa-2048")
        XCTAssertTrue(byName["alice"]?.canSign ?? false)
        XCTAssertNotNil(byName["bob"]?.sshLine)
        XCTAssertTrue(byName["bob"]?.sshLine?.hasPrefix("ssh-rsa ") ?? false)
        XCTAssertEqual(byName["carol"]?.algorithm, "rsa-2048")
        XCTAssertEqual(byName["dave"]?.algorithm, "ssh-ed25519")
        XCTAssertFalse(byName["dave"]?.canSign ?? true)
        XCTAssertEqual(byName["dave"]?.principal.sexp.description.hasPrefix("(public-key (ecc (curve Ed25519)"), true)
        // The same key read as SPKI (sophia.pub) and as its copy sophia.spki is one principal.
        let spki = Fixtures.model("registrar s key spki \"keys/sophia.spki\"\n")
        XCTAssertEqual(spki.registrars[0].key.id, model.registrars[1].key.id)
    }

    func testAVPXIIsResolved() {
        let model = Fixtures.model(Fixtures.vpxi("""
              require trusted-by inria
              node files { function storage disk 200 GiB hypervisor xen }
              cluster worker[3] { cpus 2 memory 1 GiB image "w" require site lyon }
              link worker <-> files { bandwidth >= 1 Gbps latency <= 10ms protect aes-128-gcm }
              link worker -> worker
              grant alice ssh, file(read, write, "/data") on all
              grant bob via alice ssh on worker[2..3] during 2026-12-01T08:00Z .. 2026-12-02T08:00Z
              max-cost 10 units/day
              test {
                expect bob can ssh on worker[2] at 2026-12-01T10:00Z
                expect bob cannot ssh on files
              }
            """))
        let vpxi = model.vpxis[0]
        XCTAssertEqual(vpxi.machines.map(\.name), ["files", "worker[1]", "worker[2]", "worker[3]"])
        XCTAssertEqual(vpxi.window.duration, 2 * 86_400)
        XCTAssertEqual(vpxi.lifetime, 12 * 3600)
        XCTAssertEqual(vpxi.renewal, 4 * 3600)
        XCTAssertEqual(vpxi.maxCostPerHour ?? 0, 10.0 / 24, accuracy: 1e-9)
        let files = vpxi.machines[0]
        XCTAssertEqual(files.function, .storage)
        XCTAssertEqual(files.cpus, 1)
        XCTAssertEqual(files.memoryBytes, 512 << 20)
        XCTAssertEqual(files.diskBytes, 200 << 30)
        XCTAssertEqual(files.requirements.hypervisors, [.xen])
        XCTAssertEqual(files.requirements.trustedBy, [0])
        let worker = vpxi.machines[2]
        XCTAssertEqual(worker.group, "worker")
        XCTAssertEqual(worker.index, 2)
        XCTAssertEqual(worker.image, "w")
        XCTAssertEqual(worker.requirements.sites, ["lyon"])
        // worker <-> files: 3 links; worker -> worker: the 6 ordered pairs of distinct members.
        XCTAssertEqual(vpxi.links.count, 3 + 6)
        XCTAssertEqual(vpxi.links[0].bandwidthBitsPerSecond, 1e9)
        XCTAssertEqual(vpxi.links[0].latencyMilliseconds, 10)
        XCTAssertEqual(vpxi.links[0].protection, .aes128GCM)
        XCTAssertEqual(vpxi.grants.count, 2)
        XCTAssertEqual(vpxi.grants[0].targets, [0, 1, 2, 3])
        XCTAssertEqual(vpxi.grants[0].rightsTag.description, "(* set ssh (file (* set read write) (* prefix /data)))")
        XCTAssertEqual(vpxi.grants[1].via, 0)
        XCTAssertEqual(vpxi.grants[1].targets, [2, 3])
        XCTAssertEqual(vpxi.grants[1].window.duration, 86_400)
        XCTAssertEqual(vpxi.expectations.count, 2)
        XCTAssertEqual(vpxi.expectations[1].targets, [0])
        XCTAssertEqual(vpxi.expectations[1].allowed, false)
    }

    func testTheOnlyRegistrarIsTheDefault() {
        let model = Fixtures.model("""
            registrar lyon key "keys/lyon.pub"
            user alice key "keys/alice.pub"
            vpxi v {
              owner alice window 2026-12-01 .. 2026-12-02 certificates valid 6h
              node a
              grant alice ssh on a
            }
            """)
        XCTAssertEqual(model.vpxis[0].registrar, 0)
        XCTAssertEqual(model.vpxis[0].renewal, 6 * 3600, "renewal defaults to the lifetime")
    }

    func testUnknownNamesSuggestTheClosest() {
        let (_, result) = Fixtures.analyze(Fixtures.vpxi("node a\ngrant alcie ssh on a"))
        let diagnostic = try? XCTUnwrap(result.diagnostics.first)
        XCTAssertEqual(diagnostic?.code.rawValue, "E0100")
        XCTAssertEqual(diagnostic?.message, "unknown user `alcie`")
        XCTAssertTrue(diagnostic?.help?.hasPrefix("did you mean `alice`?") ?? false, diagnostic?.help ?? "")
        XCTAssertEqual(diagnostic?.fixIts.first?.edits.first?.replacement, "alice")
    }

    func testRegistrarsUsersAndHostsShareOneNameSpace() {
        XCTAssertEqual(Fixtures.codes(Fixtures.pool + "user lyon key \"keys/erin.pub\"\n"), ["E0101"])
        XCTAssertEqual(Fixtures.codes(Fixtures.pool + "community lyon\n"), [])
    }

    func testChecksOfDates() {
        XCTAssertEqual(Fixtures.codes(Fixtures.pool + "host z { registered-with lyon from 2027-01-01 until 2026-01-01 }\n"), ["E0109"])
        XCTAssertEqual(Fixtures.codes(Fixtures.vpxi("node a\ngrant alice ssh on a during 2026-12-02 .. 2026-12-01")), ["E0109"])
        XCTAssertEqual(Fixtures.codes(Fixtures.vpxi("node a\ngrant alice ssh on a during 2026-12-05 .. 2026-12-06")), ["E0111"])
        XCTAssertEqual(Fixtures.codes(Fixtures.vpxi("node a\ngrant alice ssh on a during 2026-12-01T09:00Z .. 2026-12-02")), [])
    }

    func testDelegations() {
        // Covered by the delegating user's grant: fine; beyond it: E0117.
        XCTAssertEqual(Fixtures.codes(Fixtures.vpxi("cluster w[4]\ngrant alice ssh on w\ngrant bob via alice ssh on w[1..2]")), [])
        XCTAssertEqual(Fixtures.codes(Fixtures.vpxi("cluster w[4]\ngrant alice ssh on w[1..2]\ngrant bob via alice ssh on w")), ["E0117"])
        XCTAssertEqual(Fixtures.codes(Fixtures.vpxi(
            "node a\ngrant alice file(read, \"/data\") on a\ngrant bob via alice file(read, \"/data/bob\") on a")), [])
        XCTAssertEqual(Fixtures.codes(Fixtures.vpxi(
            "node a\ngrant alice file(read, \"/data/bob\") on a\ngrant bob via alice file(read, \"/data\") on a")), ["E0117"])
        XCTAssertEqual(Fixtures.codes(Fixtures.vpxi(
            "node a\ngrant alice ssh on a during 2026-12-01T08:00Z .. 2026-12-02\ngrant bob via alice ssh on a")), ["E0117"])
        // Chains of delegation are fine; cycles are not, nor delegating to oneself.
        XCTAssertEqual(Fixtures.codes(Fixtures.vpxi("node a\ngrant alice * on a\ngrant bob via alice ssh on a\ngrant carol via bob ssh on a")), [])
        XCTAssertEqual(Fixtures.codes(Fixtures.vpxi("node a\ngrant alice via alice ssh on a")), ["E0116"])
    }

    func testCommunityOfDirectGrantees() {
        let header = "require trusted-by hospital-lyon"
        XCTAssertEqual(Fixtures.codes(Fixtures.vpxi("node a\ngrant carol ssh on a", header: header)), ["E0115"])
        XCTAssertEqual(Fixtures.codes(Fixtures.vpxi("node a\ngrant alice ssh on a\ngrant carol via alice ssh on a", header: header)), [])
    }

    func testEveryOKPolicyIsClean() throws {
        for url in try PackagePaths.corpusFiles("policies/ok", extension: "vp") {
            let (loaded, result) = Fixtures.analyze(path: url.path)
            XCTAssertEqual(result.diagnostics.count, 0, "\(url.lastPathComponent):\n" + Fixtures.render(result.diagnostics, loaded))
            XCTAssertFalse(result.model.vpxis.isEmpty, url.lastPathComponent)
        }
    }
}
