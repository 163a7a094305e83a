@testable import Registrar
import Backends
import Foundation
@testable import PolicyCompiler
import SExpr
import SPKI
import XCTest

/// `NodeBundleSource.completedLogins` by index (each login's chain from the plan's chain
/// for its user and machine, its certs through `EpochIssue.presented`) against the same
/// logins by hash (`completedLoginsByHash`: the chain templates' hashes looked up among the
/// issued certs): random grant sets and epochs, with owners' delegations (some shorter than
/// the epoch), certs recorded as signed by others and certs left pending, with and without
/// the cache; and a `presented` that points at the wrong certs is seen.
final class IssueLoginsIndexTests: RegistrarScratchTestCase {
    func testLoginsByIndexAreTheLoginsByHash() async throws {
        try await withClockedLyon(slots: 4) { service, _, _, start, _ in
            let (policy, compile) = try await segCompiler(service, start: start)
            let alice = try RegistrarFixture.corpusKey("alice")
            var random = TestRandomBits(seed: 0x1DE_0FF5)
            var compared = 0, broken = 0
            for variant in 0..<5 {
                let grants = IssueEquivalenceTests.randomGrants(&random, start: start)
                let kept = try compiledVariant(policy, compile, grants: grants)
                let vpxi = kept.model.vpxis[kept.vpxi]
                for index in [0, 1, Int(random.next() % 20)] {
                    let epoch = vpxi.schedule.epoch(index)
                    let plan = EpochIssue.certPlan(kept, epoch: epoch)
                    var delegations: [Delegation] = []
                    var recorded: [String: SExpr] = [:]
                    for planned in plan.certs where planned.flow == .userToUser {
                        var cert = planned.cert
                        let machine = vpxi.machines[planned.machine].name
                        switch random.next() % 4 {
                        case 0:
                            delegations.append(Delegation(machine: machine, cert: cert, body: ["sequence", cert.sexp, try cert.sign(with: alice).sexp]))
                        case 1:
                            cert.validity.notAfter = SPKIDate(secondsSinceEpoch: epoch.validity.end - 60)
                            delegations.append(Delegation(machine: machine, cert: cert, body: ["sequence", cert.sexp, try cert.sign(with: alice).sexp]))
                        case 2:
                            recorded[planned.hex] = ["sequence", planned.cert.sexp, try planned.cert.sign(with: alice).sexp]
                        default:
                            break
                        }
                    }
                    let issue = try EpochIssue.issue(kept, epoch: epoch, at: epoch.start - 60, bundleSource: service.bundleSource, recorded: recorded,
                                                     delegations: delegations, cache: variant % 2 == 0 ? service.renewalCache : nil)
                    XCTAssertEqual(issue.presented.count, plan.certs.count)
                    // Every login the plan has, and one for a user and one for a machine it does not.
                    var pending = plan.chains.map {
                        NodeLogins.Pending(user: kept.model.users[$0.user].name, vpxi: vpxi.name, machine: vpxi.machines[$0.machine].name)
                    }
                    pending.append(NodeLogins.Pending(user: "nobody", vpxi: vpxi.name, machine: vpxi.machines[0].name))
                    pending.append(NodeLogins.Pending(user: "alice", vpxi: vpxi.name, machine: "no-such-machine"))
                    let vmNames = kept.model.vpxis.map { $0.machines.map { "vm-" + $0.name } }
                    let byIndex = Self.described(NodeBundleSource.completedLogins(pending, issue: issue, compiled: kept, vmNames: vmNames, plan: plan))
                    let byHash = Self.described(NodeBundleSource.completedLoginsByHash(pending, issue: issue, compiled: kept, vmNames: vmNames, plan: plan))
                    let label = "variant \(variant) epoch \(index): \(grants)"
                    XCTAssertEqual(byIndex, byHash, label)
                    XCTAssertFalse(byIndex.isEmpty, label)
                    compared += byIndex.count
                    // The certs presented for the plan taken one place off: other chains.
                    var shifted = issue
                    shifted.presented = issue.presented.map { ($0 + 1) % issue.certs.count }
                    if Self.described(NodeBundleSource.completedLogins(pending, issue: shifted, compiled: kept, vmNames: vmNames, plan: plan)) != byHash {
                        broken += 1
                    }
                }
            }
            XCTAssertGreaterThan(compared, 40)
            XCTAssertEqual(broken, 15, "a wrong `presented` went unseen")
        }
    }

    /// Every field of each login, in order.
    static func described(_ logins: [BundlePlan.Login]) -> [String] {
        logins.map { "\($0.vm) \($0.user) \($0.sshPublicKey ?? "-") \($0.chainCanonical) \(String(describing: $0.notBefore)) \($0.expires)" }
    }
}
