import Backends
import RSA
import SExpr
import SPKI
import XCTest

/// A small plan over the fixture keys, covering every case the back ends handle:
///
/// - host-a (KVM; IPv4 and IPv6), host-b (Xen; IPv4), host-c (KVM; IPv6 only);
/// - VPXI `bronze` from 2026-12-01 08:00 to 2026-12-03 08:00, renewed every 12 h with 36-hour
///   certificates (4 epochs);
/// - vm-1, vm-5 on host-a; vm-2, vm-3 on host-b; vm-4 on host-c;
/// - links: vm-1–vm-2 (AES-128-GCM, across IPv4), vm-2–vm-3 (AES-256-GCM, on one host),
///   vm-1–vm-5 (AES-128-CBC + HMAC-SHA-256, on one host), vm-4–vm-5 (ChaCha20-Poly1305,
///   across IPv6, authorized only until 2026-12-02 14:00), vm-3–vm-1 (`protect none`);
/// - alice may log into vm-1 (with an SSH key) and bob into vm-2 (no SSH key).
enum TestPlan {
    static let windowStart = SPKIDate(year: 2026, month: 12, day: 1, hour: 8)!
    static let windowEnd = SPKIDate(year: 2026, month: 12, day: 3, hour: 8)!
    static let linkCut = SPKIDate(year: 2026, month: 12, day: 2, hour: 14)!
    static let at = SPKIDate(year: 2026, month: 11, day: 30, hour: 12)!
    static let secretBytes: [UInt8] = Array(0..<32)
    static let vmHosts = ["vm-1": "host-a", "vm-2": "host-b", "vm-3": "host-b", "vm-4": "host-c", "vm-5": "host-a"]

    static func secrets() throws -> BundleSecrets { try BundleSecrets(espMasterKey: secretBytes) }

    static func chain(_ user: String, _ vm: String) -> SExpr {
        ["sequence", ["cert", ["issuer", "registrar"], ["subject", .string(user)], ["tag", ["vpxi", "bronze", ["resource", .string(vm)], "ssh"]]]]
    }

    static func make() throws -> BundlePlan {
        let registrar = BundlePlan.Registrar(name: "lyon", signingKey: try Fixtures.privateKey("registrar"))
        let hosts = [
            BundlePlan.Host(name: "host-a", publicKey: try Fixtures.key("host-a").publicKey, locators: ["192.0.2.1", "2001:db8::1"],
                            hypervisor: .kvm, registrar: "lyon"),
            BundlePlan.Host(name: "host-b", publicKey: try Fixtures.key("host-b").publicKey, locators: ["192.0.2.2"],
                            hypervisor: .xen, registrar: "lyon"),
            BundlePlan.Host(name: "host-c", publicKey: try Fixtures.key("host-c").publicKey, locators: ["2001:db8::3"],
                            hypervisor: .kvm, registrar: "lyon", imageDirectory: "/srv/images"),
        ]
        let epochs = BundlePlan.Epoch.renewals(windowStart: windowStart, windowEnd: windowEnd, period: 12 * 3600, lifetime: 36 * 3600)
        let vpxi = BundlePlan.VPXI(name: "bronze", windowStart: windowStart, windowEnd: windowEnd, epochs: epochs)
        var vms: [BundlePlan.VM] = []
        for name in vmHosts.keys.sorted() {
            vms.append(BundlePlan.VM(name: name, vpxi: "bronze", host: vmHosts[name]!, publicKey: try Fixtures.key(name).publicKey,
                                     cpus: 1, memoryBytes: 512 << 20, diskBytes: name == "vm-3" ? 200 << 30 : nil,
                                     image: name == "vm-3" ? nil : "debian-etch-amd64"))
        }
        let links = [
            BundlePlan.Link("vm-1", "vm-2", suite: .aes128GCM, bandwidthBitsPerSecond: 1_000_000_000, latencyMicroseconds: 10_000),
            BundlePlan.Link("vm-2", "vm-3", suite: .aes256GCM),
            BundlePlan.Link("vm-1", "vm-5", suite: .aes128CBCHMACSHA256),
            BundlePlan.Link("vm-4", "vm-5", suite: .chacha20Poly1305, notAfter: linkCut),
            BundlePlan.Link("vm-3", "vm-1", suite: nil),
        ]
        let aliceSSH = String(decoding: try Fixtures.key("alice").publicKeyBytes(.ssh), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let logins = [
            BundlePlan.Login(vm: "vm-1", user: "alice", sshPublicKey: aliceSSH, chain: chain("alice", "vm-1"), expires: windowEnd),
            BundlePlan.Login(vm: "vm-2", user: "bob", chain: chain("bob", "vm-2"), notBefore: windowStart, expires: linkCut),
        ]
        return BundlePlan(generatedAt: at, registrars: [registrar], hosts: hosts, vpxis: [vpxi], vms: vms, links: links, logins: logins)
    }

    /// The bundles of the plan, by host name.
    static func bundles(_ plan: BundlePlan? = nil) throws -> [String: HostBundle] {
        let builder = try BundleBuilder(plan: plan ?? make(), secrets: secrets())
        let all = try builder.buildAll()
        return Dictionary(uniqueKeysWithValues: all.map { ($0.host, $0) })
    }

    static func text(_ bundle: HostBundle, _ path: String) throws -> String {
        String(decoding: try XCTUnwrap(bundle.file(path), "\(bundle.host) has no \(path)").bytes, as: UTF8.self)
    }

    static func sexp(_ bundle: HostBundle, _ path: String) throws -> SExpr {
        try SExpr.parse(try XCTUnwrap(bundle.file(path), "\(bundle.host) has no \(path)").bytes)
    }
}

extension SExpr {
    /// The members of a list with the given head.
    func all(_ name: String) -> [SExpr] { tail.filter { $0.head == name } }

    /// The text of `(name TEXT)`.
    func field(_ name: String) -> String? { first(name)?.tail.first?.text }
}
