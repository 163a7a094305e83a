@testable import Backends
import SExpr
import SPKI
import XCTest

/// `authorized.sexp` patched without building its document (`AuthorizedFile.patched`): each
/// input written over its slot of the previous document's buffer, then the previous print
/// patched. Over random runs of epochs where the inputs keep their lengths but anything
/// else may change (dates, the chains' hashes and signatures, a user's name, an SSH key, a
/// VM's name) and where the chains' bytes keep their length while their atoms' boundaries
/// move, cached builders give the bytes of uncached ones, and the in-place path is taken
/// exactly when it can be.
final class AuthorizedInPlaceTests: XCTestCase {
    typealias Random = AuthorizedPatchTests.Random

    /// `chain` with two atoms' lengths changed by one in opposite directions (the same total
    /// length; other boundaries): the first `N:` prefix of 2 or more made one more, the
    /// last one less.
    static func shifted(_ chain: [UInt8]) -> [UInt8]? {
        let document = try? SExprParser(options: .init(canonicalOnly: true)).parse(chain)
        guard document != nil, let value = try? SExpr.parse(chain) else { return nil }
        var atoms: [[UInt8]] = []
        func collect(_ value: SExpr) {
            switch value {
            case .atom(let atom): atoms.append(atom.bytes)
            case .list(let items): items.forEach(collect)
            }
        }
        collect(value)
        guard let grow = atoms.firstIndex(where: { $0.count >= 20 && $0.count < 99 }),
              let shrink = atoms.lastIndex(where: { $0.count >= 20 && $0.count < 99 }), grow != shrink else { return nil }
        var index = 0
        func rewrite(_ value: SExpr) -> SExpr {
            switch value {
            case .atom(let atom):
                defer { index += 1 }
                if index == grow { return .atom(.init(atom.bytes + [0x41], hint: atom.hint)) }
                if index == shrink { return .atom(.init(Array(atom.bytes.dropLast()), hint: atom.hint)) }
                return value
            case .list(let items): return .list(items.map(rewrite))
            }
        }
        let moved = rewrite(value).canonical
        return moved.count == chain.count && moved != chain ? moved : nil
    }

    func testRandomEpochsGiveTheLaidOutBytes() throws {
        var plan = try TestPlan.make()
        let cache = BundleFileCache()
        var random = Random(seed: 0x1_2ACE)
        var users = [("alice", "vm-1"), ("bob", "vm-2"), ("carol", "vm-2"), ("dave", "vm-4")]
        var inPlace = 0, shiftedEpochs = 0
        for epoch in 0..<40 {
            plan.generatedAt = SPKIDate(secondsSinceEpoch: TestPlan.at.secondsSinceEpoch + Int64(epoch) * 43_200)
            let change = random.next(10)
            // Same lengths: another user name, another key, a VM renamed (the same length).
            if change == 0 { users[0].0 = ["alice", "aliya", "alina"][random.next(3)] }
            if change == 1, users.count > 3 { users[3].0 = ["dave", "dana", "dirk"][random.next(3)] }
            let before = cache.authorizedInPlace
            plan.logins = users.enumerated().map { index, user in
                let expires = SPKIDate(secondsSinceEpoch: 1_800_129_600 + Int64(epoch) * 43_200)
                var chain = AuthorizedPatchTests.chain(user: user.0, vm: user.1, epoch: epoch, signatureLength: 256, &random)
                if change == 2, index == 1, let moved = Self.shifted(chain) { chain = moved }
                let key = change == 3 && index == 0 ? "ssh-rsa BBBB \(user.0)" : "ssh-rsa AAAA \(user.0)"
                return BundlePlan.Login(vm: user.1, user: user.0, sshPublicKey: index % 2 == 0 ? key : nil, chainCanonical: chain,
                                        notBefore: SPKIDate(secondsSinceEpoch: 1_800_000_000 + Int64(epoch) * 43_200), expires: expires)
            }
            // Another length: a login more (then fewer again), or a longer key.
            if change == 4 { plan.logins.append(plan.logins[0]) }
            if change == 5, let first = plan.logins.first { plan.logins[0].sshPublicKey = (first.sshPublicKey ?? "ssh-rsa A") + "A" }
            let cached = try BundleBuilder(plan: plan, secrets: TestPlan.secrets(), cache: cache)
            let fresh = try BundleBuilder(plan: plan, secrets: TestPlan.secrets())
            for host in fresh.hostNames {
                XCTAssertEqual(try cached.build(host: host).files, try fresh.build(host: host).files, "epoch \(epoch), change \(change), \(host)")
            }
            let taken = cache.authorizedInPlace - before
            inPlace += taken
            if change == 2 {
                shiftedEpochs += 1
                XCTAssertLessThan(taken, fresh.hostNames.count, "epoch \(epoch): a chain whose atoms moved was patched in place")
            }
            if change == 4 || change == 5 {
                XCTAssertLessThan(taken, fresh.hostNames.count, "epoch \(epoch): a longer input was patched in place")
            }
        }
        XCTAssertGreaterThan(inPlace, 50)
        XCTAssertGreaterThan(shiftedEpochs, 1)
        XCTAssertLessThanOrEqual(cache.authorizedInPlace, cache.authorizedStatistics.patched)
    }
}

/// A cache's plans skip checking an SSH key line that the previous plan had at the same place
/// (`ResolvedPlan.init(_:base:checkedKeys:)`), and check every other one.
final class CheckedKeysTests: XCTestCase {
    func testAKeyThatChangesIsCheckedAgain() throws {
        var plan = try TestPlan.make()
        let cache = BundleFileCache()
        let valid = plan.logins.compactMap(\.sshPublicKey)
        XCTAssertFalse(valid.isEmpty)
        _ = try BundleBuilder(plan: plan, secrets: TestPlan.secrets(), cache: cache)
        // The same keys again: accepted.
        _ = try BundleBuilder(plan: plan, secrets: TestPlan.secrets(), cache: cache)
        // A key changed into something that is not a key line, at the same place: refused.
        let index = try XCTUnwrap(plan.logins.firstIndex { $0.sshPublicKey != nil })
        plan.logins[index].sshPublicKey = "ssh-rsa not base64 !!\nsecond line"
        XCTAssertThrowsError(try BundleBuilder(plan: plan, secrets: TestPlan.secrets(), cache: cache)) { error in
            XCTAssertEqual((error as? BackendsError)?.code, .invalidSSHKey)
        }
        // Canonically equivalent text with other bytes is not taken as checked.
        XCTAssertFalse(ResolvedPlan.sameBytes("caf\u{E9}", "cafe\u{301}"))
        XCTAssertTrue(ResolvedPlan.sameBytes(valid[0], String(decoding: Array(valid[0].utf8), as: UTF8.self)))
    }
}
