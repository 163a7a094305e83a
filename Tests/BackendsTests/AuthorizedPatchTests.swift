@testable import Backends
import SExpr
import SPKI
import XCTest

/// A `BundleFileCache` prints each host's `authorized.sexp` by patching the host's previous
/// one where only the epoch's dates, hashes and signatures changed
/// (`BundleFileCache.authorized`, `AdvancedPrinter.printed(_:reusing:)`), and lays it out
/// again otherwise. Over random runs of epochs, cached builders give the bytes of uncached
/// ones, and both paths are taken.
final class AuthorizedPatchTests: XCTestCase {
    struct Random {
        var seed: UInt64
        mutating func next(_ bound: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int(seed >> 33) % bound
        }
        mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(next(256)) } }
    }

    /// A chain shaped like the registrar's: certs with a key, a tag and a validity, each
    /// followed by its signature (a hash and 256 bytes of RSA signature).
    static func chain(user: String, vm: String, epoch: Int, signatureLength: Int, _ random: inout Random) -> [UInt8] {
        let start = SPKIDate(secondsSinceEpoch: 1_800_000_000 + Int64(epoch) * 43_200)
        let end = SPKIDate(secondsSinceEpoch: start.secondsSinceEpoch + 129_600)
        let key: SExpr = ["public-key", ["rsa-pkcs1-sha256", ["e", .bytes([1, 0, 1])], ["n", .bytes(Array(repeating: 0xC5, count: 257))]]]
        var items: [[UInt8]] = []
        for (issuer, subject) in [("registrar", "resource"), ("resource", user)] {
            let cert: SExpr = ["cert", ["issuer", key], ["subject", ["hash", "sha256", .bytes(Array(repeating: UInt8(subject.count), count: 32))]],
                               ["tag", ["vpxi", "gold", ["resource", .string(vm)], "ssh"]],
                               ["valid", ["not-before", .string(start.description)], ["not-after", .string(end.description)]],
                               ["comment", .string(issuer)]]
            let signature: SExpr = ["signature", ["hash", "sha256", .bytes(random.bytes(32))], key,
                                    ["rsa-pkcs1-sha256", .bytes(random.bytes(signatureLength))]]
            items.append(cert.canonical)
            items.append(signature.canonical)
        }
        return BundlePlan.Login.sequenceCanonical(items)
    }

    func testARandomRunOfEpochsGivesTheLaidOutBytes() throws {
        var plan = try TestPlan.make()
        let cache = BundleFileCache()
        var random = Random(seed: 0xA070_12ED)
        var users = [("alice", "vm-1"), ("bob", "vm-2"), ("carol", "vm-2"), ("dave", "vm-4")]
        for epoch in 0..<30 {
            plan.generatedAt = SPKIDate(secondsSinceEpoch: TestPlan.at.secondsSinceEpoch + Int64(epoch) * 43_200)
            // Mostly an epoch as a renewal makes it; now and then a change that moves the
            // layout: a login more or less, a signature of another width, a date dropped.
            let change = random.next(8)
            if change == 0 { users.append(("erin\(epoch)", "vm-5")) }
            if change == 1, users.count > 2 { users.removeLast() }
            plan.logins = users.enumerated().map { index, user in
                let length = change == 2 && index == 0 ? 200 : 256
                let expires = SPKIDate(secondsSinceEpoch: 1_800_129_600 + Int64(epoch) * 43_200)
                return BundlePlan.Login(vm: user.1, user: user.0, sshPublicKey: index % 2 == 0 ? "ssh-rsa AAAA \(user.0)" : nil,
                                        chainCanonical: Self.chain(user: user.0, vm: user.1, epoch: epoch, signatureLength: length, &random),
                                        notBefore: change == 3 && index == 1 ? nil : SPKIDate(secondsSinceEpoch: 1_800_000_000 + Int64(epoch) * 43_200),
                                        expires: expires)
            }
            let cached = try BundleBuilder(plan: plan, secrets: TestPlan.secrets(), cache: cache)
            let fresh = try BundleBuilder(plan: plan, secrets: TestPlan.secrets())
            for host in fresh.hostNames {
                let expected = try fresh.build(host: host)
                XCTAssertEqual(try cached.build(host: host).files, expected.files, "epoch \(epoch), \(host)")
                let text = try XCTUnwrap(expected.file("authorized.sexp")).bytes
                XCTAssertEqual(text, AuthorizedFile.text(host: fresh.resolved.hostIndex[host]!, resolved: fresh.resolved))
            }
        }
        let statistics = cache.authorizedStatistics
        XCTAssertGreaterThan(statistics.patched, 40, "\(statistics)")
        XCTAssertGreaterThan(statistics.laidOut, 6, "\(statistics)")
    }

    /// A cache that keeps nothing (`limit` 0) always lays the file out.
    func testACacheWithNoRoomLaysOut() throws {
        let plan = try TestPlan.make()
        let cache = BundleFileCache(limit: 0)
        for _ in 0..<2 {
            let builder = try BundleBuilder(plan: plan, secrets: TestPlan.secrets(), cache: cache)
            let fresh = try BundleBuilder(plan: plan, secrets: TestPlan.secrets())
            for host in fresh.hostNames { XCTAssertEqual(try builder.build(host: host).files, try fresh.build(host: host).files) }
        }
        XCTAssertEqual(cache.authorizedStatistics.patched, 0)
    }
}
