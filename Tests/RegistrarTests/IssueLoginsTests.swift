@testable import Registrar
import Backends
import Foundation
import PolicyCompiler
import SExpr
import SPKI
import XCTest

/// The logins in the bundles a renewal builds (`NodeBundleSource.completedLogins`: each
/// chain written straight from the issued certs' canonical bytes) against an oracle built
/// from `SExpr` values: for every user and machine with `ssh`, the login of the host's
/// `authorized.sexp` holds `(sequence CERT SIGNATURE ...)` of the chain the user pulls
/// (the issued certs' bodies in template order), and expires when the first of them does.
final class IssueLoginsTests: RegistrarScratchTestCase {
    func testEveryLoginHoldsTheChainTheUserPulls() async throws {
        try await withClockedLyon(slots: 4) { service, _, _, start, _ in
            let (policy, compile) = try await segCompiler(service, start: start)
            var random = TestRandomBits(seed: 0x0C0_FFEE)
            var checked = 0
            for variant in 0..<4 {
                let grants = IssueEquivalenceTests.randomGrants(&random, start: start)
                let kept = try compiledVariant(policy, compile, grants: grants)
                let vpxi = kept.model.vpxis[kept.vpxi]
                for index in [0, 1, 2, Int(random.next() % 20)] {
                    let epoch = vpxi.schedule.epoch(index)
                    let issue = try EpochIssue.issue(kept, epoch: epoch, at: epoch.start - 60, bundleSource: service.bundleSource,
                                                     cache: variant % 2 == 0 ? service.renewalCache : nil)
                    let expected = try Self.expectedLogins(issue, compiled: kept)
                    var found: [String: (chain: [UInt8], expires: String)] = [:]
                    for (host, bytes) in issue.bundles {
                        let bundle = try BundleArchive.decode(bytes)
                        let file = try XCTUnwrap(bundle.files.first { $0.path == "authorized.sexp" }, host)
                        for vm in try SExpr.parse(file.bytes).tail where vm.head == "vm" {
                            for login in vm.tail where login.head == "login" {
                                let user = try XCTUnwrap(login.field("user")?.text)
                                let machine = try XCTUnwrap(vm.field("name")?.text)
                                let chain = try XCTUnwrap(login.tail.first { $0.head == "chain" }?.tail.first)
                                found["\(user) \(machine)"] = (chain.canonical, try XCTUnwrap(login.field("expires")?.text))
                            }
                        }
                    }
                    let label = "variant \(variant) epoch \(index): \(grants)"
                    XCTAssertEqual(found.count, expected.values.reduce(0) { $0 + $1.count }, label)
                    for (user, chains) in expected {
                        // One login per (user, machine): matched by chain, the VM names being the back ends'.
                        for (chain, expires) in chains {
                            let match = found.first { $0.key.hasPrefix("\(user) ") && $0.value.chain == chain }
                            XCTAssertNotNil(match, "\(label): \(user)'s chain is not in any authorized.sexp")
                            XCTAssertEqual(match?.value.expires, expires, label)
                            checked += 1
                        }
                    }
                }
            }
            XCTAssertGreaterThan(checked, 40)
        }
    }

    /// For each user, the chains with `ssh` whose certs are all signed: `(sequence ...)` of
    /// the certs' bodies in template order, and the earliest expiry (or the window's end).
    static func expectedLogins(_ issue: EpochIssue, compiled: VPXICompiler.Compiled) throws -> [String: [(chain: [UInt8], expires: String)]] {
        let vpxi = compiled.model.vpxis[compiled.vpxi]
        let certs = Dictionary(issue.certs.map { ($0.hash, $0) }, uniquingKeysWith: { first, _ in first })
        var result: [String: [(chain: [UInt8], expires: String)]] = [:]
        for (user, templates) in issue.chains {
            guard let u = compiled.model.users.firstIndex(where: { $0.name == user }) else { continue }
            for template in templates {
                guard let m = vpxi.machines.firstIndex(where: { $0.name == template.machine }),
                      vpxi.grants.contains(where: { $0.user == u && $0.targets.contains(m) && $0.rights.contains { $0.name == "ssh" || $0.name == "*" } })
                else { continue }
                var items: [SExpr] = ["sequence"]
                var expires = SPKIDate(secondsSinceEpoch: vpxi.window.end)
                var complete = true
                for hash in template.certs {
                    guard let cert = certs[hash], cert.signed, cert.body.head == "sequence" else {
                        complete = false
                        break
                    }
                    items += cert.body.tail
                    var warnings: [SPKIWarning] = []
                    let parsed = try Cert(parsing: try XCTUnwrap(cert.body.tail.first), warnings: &warnings)
                    if let end = parsed.validity.notAfter, end < expires { expires = end }
                }
                guard complete else { continue }
                result[user, default: []].append((SExpr.list(items).canonical, expires.description))
            }
        }
        return result
    }
}

extension RegistrarScratchTestCase {
    /// A 4-machine vpxi `seg` created on `service`: its stored policy, and a compiler of
    /// policy texts over its slots as stored (each text compiled as a renewal compiles it).
    func segCompiler(_ service: RegistrarService, start: Int64) async throws -> (policy: String, compile: (String) throws -> VPXICompiler.Compiled) {
        let (policy, rows) = try await createSeg(service, machines: 4, start: start)
        var slots: [String: VPXICompiler.Slot] = [:]
        for row in rows { slots[try row.text("machine")] = try RegistrarService.slot(row, host: try row.text("host")) }
        let found = slots
        return (policy, { text in
            try service.compiler.compile(policy: text) { (host, machine) throws(RegistrarError) in
                guard let slot = found[machine], slot.host == host else { throw RegistrarError(.internal, "moved") }
                return slot
            }
        })
    }

    /// `seg`'s stored policy with `grants` added after alice's own, compiled afresh (no
    /// derived values carried over).
    func compiledVariant(_ policy: String, _ compile: (String) throws -> VPXICompiler.Compiled, grants: [String]) throws -> VPXICompiler.Compiled {
        var kept = try compile(variantText(policy, grants: grants))
        kept.derived = DerivedValues()
        return kept
    }

    /// `seg`'s stored policy with `grants` added after alice's own.
    func variantText(_ policy: String, grants: [String]) -> String {
        let original = "grant alice ssh, console on all"
        XCTAssertTrue(policy.contains(original))
        return policy.replacingOccurrences(of: original, with: ([original] + grants).joined(separator: "\n  "))
    }
}

private extension SExpr {
    /// The value of the `(name VALUE)` child.
    func field(_ name: String) -> SExpr? { tail.first { $0.head == name }?.tail.first }
}
