import Backends
import RSA
import SExpr
import XCTest

/// The bundles as a whole: the files of each host, determinism, and `authorized.sexp`.
final class BundleBuilderTests: XCTestCase {
    func testEveryHostGetsItsFiles() throws {
        let bundles = try TestPlan.bundles()
        XCTAssertEqual(Set(bundles.keys), ["host-a", "host-b", "host-c"])
        let common = ["authorized.sexp", "esp.sexp", "esp/xfrm.sh", "hip/hosts", "hip/known_host_identities.xml", "hip/peers.zone",
                      "manifest.sexp", "manifest.sig", "peers.sexp"]
        XCTAssertEqual(bundles["host-a"]!.files.map(\.path),
                       (common + ["vms/vm-1.volume.xml", "vms/vm-1.xml", "vms/vm-5.volume.xml", "vms/vm-5.xml"]).sorted())
        XCTAssertEqual(bundles["host-b"]!.files.map(\.path),
                       (common + ["vms/vm-2.cfg", "vms/vm-2.volume.xml", "vms/vm-2.xml", "vms/vm-3.cfg", "vms/vm-3.volume.xml", "vms/vm-3.xml"]).sorted())
    }

    /// Same plan and secret, same bytes: run to run, in parallel or one host at a time, and
    /// whatever the order of the plan's lists.
    func testDeterministic() throws {
        let first = try TestPlan.bundles()
        let second = try TestPlan.bundles()
        for host in first.keys { XCTAssertEqual(first[host]!.files, second[host]!.files, host) }
        let builder = try BundleBuilder(plan: TestPlan.make(), secrets: TestPlan.secrets())
        XCTAssertEqual(try builder.build(host: "host-b").files, first["host-b"]!.files)
        var shuffled = try TestPlan.make()
        shuffled.vms.reverse()
        shuffled.links.reverse()
        shuffled.hosts.reverse()
        shuffled.logins.reverse()
        let third = try TestPlan.bundles(shuffled)
        for host in first.keys { XCTAssertEqual(first[host]!.files, third[host]!.files, host) }
    }

    /// The caller's signer (kept across many builds, as the registrar's renewals do) gives
    /// the same bytes as the builder's own, build after build; a signer of another key is
    /// refused rather than making a manifest signature the host would reject.
    func testCallersSignerGivesTheSameBytes() throws {
        let builder = try BundleBuilder(plan: TestPlan.make(), secrets: TestPlan.secrets())
        let signer = try RSASigner(key: Fixtures.privateKey("registrar"))
        for host in builder.hostNames {
            let own = try builder.build(host: host)
            XCTAssertEqual(try builder.build(host: host, signer: signer).files, own.files, host)
            XCTAssertEqual(try builder.build(host: host, signer: signer).files, own.files, host)
        }
        let other = try RSASigner(key: Fixtures.privateKey("host-a"))
        XCTAssertThrowsError(try builder.build(host: "host-a", signer: other)) { error in
            XCTAssertEqual((error as? BackendsError)?.code, .registrarCannotSign)
        }
        XCTAssertThrowsError(try builder.build(host: "nowhere", signer: signer)) { error in
            XCTAssertEqual((error as? BackendsError)?.code, .unknownHost)
        }
    }

    func testAHostWithoutVMsStillGetsABundle() throws {
        var plan = try TestPlan.make()
        plan.hosts.append(BundlePlan.Host(name: "host-idle", publicKey: try Fixtures.key("host-c").publicKey, locators: ["192.0.2.9"],
                                          hypervisor: .kvm, registrar: "lyon"))
        let bundle = try XCTUnwrap(try TestPlan.bundles(plan)["host-idle"])
        XCTAssertTrue(try TestPlan.sexp(bundle, "esp.sexp").all("link-end").isEmpty)
        XCTAssertTrue(try TestPlan.sexp(bundle, "peers.sexp").all("peer").isEmpty)
        XCTAssertFalse(bundle.files.contains { $0.path.hasPrefix("vms/") })
    }

    func testAuthorizedLogins() throws {
        let bundles = try TestPlan.bundles()
        let a = try TestPlan.sexp(bundles["host-a"]!, "authorized.sexp")
        XCTAssertEqual(a.all("vm").map { $0.field("name")! }, ["vm-1", "vm-5"], "every VM of the host, even without logins")
        let vm1 = a.all("vm")[0]
        let alice = try XCTUnwrap(vm1.all("login").first)
        XCTAssertEqual(alice.field("user"), "alice")
        XCTAssertTrue(alice.field("ssh-key")!.hasPrefix("ssh-rsa AAAA"))
        XCTAssertEqual(alice.field("expires"), TestPlan.windowEnd.description)
        XCTAssertEqual(alice.first("chain")?.tail.first, TestPlan.chain("alice", "vm-1"))
        XCTAssertTrue(a.all("vm")[1].all("login").isEmpty)
        let bob = try XCTUnwrap(try TestPlan.sexp(bundles["host-b"]!, "authorized.sexp").all("vm").first?.all("login").first)
        XCTAssertEqual(bob.field("user"), "bob")
        XCTAssertNil(bob.first("ssh-key"), "bob's key is not an SSH key")
        XCTAssertEqual(bob.field("not-before"), TestPlan.windowStart.description)
        XCTAssertEqual(bob.field("expires"), TestPlan.linkCut.description)
    }

    func testORCHIDv1Option() throws {
        var plan = try TestPlan.make()
        plan.hitVersion = .v1
        let builder = try BundleBuilder(plan: plan, secrets: TestPlan.secrets())
        XCTAssertTrue(builder.hits.values.allSatisfy { $0.version == .v1 })
        let peers = try TestPlan.sexp(try builder.build(host: "host-c"), "peers.sexp")
        XCTAssertEqual(peers.field("hit-format"), "orchid-v1")
        XCTAssertTrue(peers.all("peer")[0].field("hit")!.hasPrefix("2001:1"))
    }
}
