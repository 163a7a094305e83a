import Backends
import Foundation
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest
@testable import PolicyCompiler

/// The mapping of the compiler's IR onto the back ends' `BundlePlan`, on the shipped
/// examples with the demo keys (host keys and the ESP secret generated in a temporary
/// store).
final class NodeBundlePlannerTests: XCTestCase {
    /// A store whose first directory is a fresh temporary one, then the demo keys.
    func store() throws -> KeyStoreDirectory {
        KeyStoreDirectory(directories: [try CompileFixture.temporaryDirectory(self)] + CompileFixture.demoStore.directories)
    }

    func plan(_ name: String, store: KeyStoreDirectory? = nil) throws -> (NodeBundlePlanner.Result, NodeKeys, InfrastructureIR) {
        let store = try store ?? self.store()
        let ir = try CompileFixture.ir(try CompileFixture.analysis(name), store: store)
        let (result, keys) = try NodeBundlePlanner.plan(ir: ir, at: CompileFixture.at, keyStore: store, generateMissing: true)
        return (result, keys, ir)
    }

    func testBronzeStandardMapsOntoABundlePlan() throws {
        let (result, keys, ir) = try plan("bronze-standard")
        let plan = result.plan
        XCTAssertEqual(plan.generatedAt, SPKIDate(secondsSinceEpoch: CompileFixture.at))
        XCTAssertEqual(plan.keyHorizon, 36 * 3600, "the certificate lifetime")
        XCTAssertEqual(plan.hosts.count, 36, "every registered host gets a bundle")
        XCTAssertEqual(Set(plan.hosts.map(\.registrar)), ["lyon", "sophia"])
        XCTAssertEqual(plan.hosts.first { $0.name == "capricorne-01" }?.hypervisor, .xen)
        XCTAssertEqual(plan.hosts.first { $0.name == "capricorne-01" }?.locators, ["192.0.2.11"])
        XCTAssertEqual(plan.hosts.first { $0.name == "sophia-01" }?.hypervisor, .kvm)
        XCTAssertEqual(keys.generated.count, 37, "36 host keys and the ESP secret")
        XCTAssertEqual(plan.registrars.map(\.name), ["lyon", "sophia"])
        XCTAssertNotNil(plan.registrars[0].signingKey)
        // The vpxi: its window and epochs (20.5 days renewed every 12 hours).
        let vpxi = try XCTUnwrap(plan.vpxis.first)
        XCTAssertEqual(vpxi.epochs.count, 41)
        XCTAssertEqual(vpxi.epochs[0].expires.secondsSinceEpoch - vpxi.epochs[0].start.secondsSinceEpoch, 36 * 3600)
        XCTAssertEqual(vpxi.epochs.last?.end, vpxi.windowEnd)
        // VMs: one per machine, DNS labels, on the host placement chose.
        XCTAssertEqual(plan.vms.count, 35)
        XCTAssertEqual(plan.vms.map(\.name).prefix(4), ["bronze-standard-dietmaster", "bronze-standard-moteur", "bronze-standard-files", "bronze-standard-worker-1"])
        let files = try XCTUnwrap(plan.vms.first { $0.name == "bronze-standard-files" })
        XCTAssertEqual(files.diskBytes, 200 << 30)
        XCTAssertNil(files.image)
        let worker = try XCTUnwrap(plan.vms.first { $0.name == "bronze-standard-worker-3" })
        XCTAssertEqual(worker.image, "bronze-standard")
        XCTAssertEqual(worker.memoryBytes, 512 << 20)
        XCTAssertEqual(worker.host, ir.host(vpxi: 0, machine: 5).name)
        XCTAssertEqual(worker.publicKey, ir.machineKey(vpxi: 0, machine: 5).rsa)
        // Links: worker <-> files (aes-128-gcm, 1 Gbps, 10 ms), dietmaster <-> each worker
        // (the default suite), moteur <-> dietmaster.
        XCTAssertEqual(plan.links.count, 32 + 32 + 1)
        let toFiles = try XCTUnwrap(plan.links.first { $0.a == "bronze-standard-files" && $0.b == "bronze-standard-worker-1" })
        XCTAssertEqual(toFiles.suite, .aes128GCM)
        XCTAssertEqual(toFiles.bandwidthBitsPerSecond, 1_000_000_000)
        XCTAssertEqual(toFiles.latencyMicroseconds, 10_000)
        XCTAssertTrue(plan.links.allSatisfy { $0.suite == .aes128GCM })
        // Logins: alice on every machine, bob (an OpenSSH key, via alice) on each worker.
        XCTAssertEqual(plan.logins.count, 35 + 32)
        XCTAssertTrue(result.pendingLogins.isEmpty)
        let bob = try XCTUnwrap(plan.logins.first { $0.user == "bob" && $0.vm == "bronze-standard-worker-3" })
        XCTAssertTrue(bob.sshPublicKey?.hasPrefix("ssh-rsa AAAA") ?? false)
        XCTAssertEqual(bob.chain.head, "sequence")
        XCTAssertEqual(bob.chain.tail.count, 2 * 3, "machine → lyon, lyon → alice, alice → bob, each with its signature")
        XCTAssertEqual(bob.notBefore, SPKIDate(secondsSinceEpoch: CompileFixture.at))
        XCTAssertEqual(bob.expires, SPKIDate(secondsSinceEpoch: CompileFixture.at + 36 * 3600))
        XCTAssertNil(plan.logins.first { $0.user == "alice" }?.sshPublicKey)
        XCTAssertNil(plan.logins.first { $0.user == "bob" && $0.vm == "bronze-standard-files" }, "bob has no grant on files")
        // And the back ends accept it: one bundle per host.
        let bundles = try BundleBuilder(plan: plan, secrets: keys.secrets).buildAll()
        XCTAssertEqual(bundles.count, 36)
    }

    func testEveryExampleMaps() throws {
        for name in CompileFixture.examples {
            let (result, keys, ir) = try plan(name)
            XCTAssertEqual(result.plan.vms.count, ir.model.vpxis.reduce(0) { $0 + $1.machines.count }, name)
            XCTAssertTrue(result.pendingLogins.isEmpty, "\(name): \(result.pendingLogins)")
            XCTAssertFalse(result.plan.logins.isEmpty, name)
            let bundles = try BundleBuilder(plan: result.plan, secrets: keys.secrets).buildAll()
            XCTAssertEqual(bundles.count, result.plan.hosts.count, name)
        }
    }

    /// The same IR, keys and time give the same plan and the same bundles, byte for byte.
    func testDeterministic() throws {
        let store = try self.store()
        let (first, keys, _) = try plan("secondary-user", store: store)
        let (second, _, _) = try plan("secondary-user", store: store)
        let a = try BundleBuilder(plan: first.plan, secrets: keys.secrets).buildAll()
        let b = try BundleBuilder(plan: second.plan, secrets: keys.secrets).buildAll()
        XCTAssertEqual(a.map(\.host), b.map(\.host))
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.files.map(\.path), y.files.map(\.path))
            for (f, g) in zip(x.files, y.files) { XCTAssertTrue(f.bytes == g.bytes, "\(x.host)/\(f.path)") }
        }
    }

    func testAHostWithoutAKeyIsRefusedWithItsDeclaration() throws {
        let ir = try CompileFixture.ir("bronze-standard")
        XCTAssertThrowsError(try NodeKeys.load(ir, store: try store(), generateMissing: false)) { error in
            let failure = error as! NodePlanningError
            XCTAssertEqual(failure.error.code, .hostKeyMissing)
            XCTAssertTrue(failure.error.message.contains("36 hosts (`capricorne-01`, `capricorne-02`, `capricorne-03` and 33 more)"), failure.error.message)
            XCTAssertTrue(failure.error.help?.contains("--generate-missing-keys") ?? false)
            XCTAssertNotNil(failure.diagnostic, "points at the host's declaration")
        }
    }

    func testARegistrarWithoutItsPrivateKeyIsRefused() throws {
        // Machine keys only: no registrar or user private key.
        let first = try CompileFixture.temporaryDirectory(self)
        let store = KeyStoreDirectory(directories: [first, PackagePaths.corpus("vm-keys").path])
        let analysis = try CompileFixture.analysis("bronze-standard")
        let ir = try CompileFixture.ir(analysis, store: store)
        let keys = try NodeKeys.load(ir, store: store, generateMissing: true)
        XCTAssertThrowsError(try NodeBundlePlanner.plan(ir: ir, at: CompileFixture.at, keys: keys)) { error in
            let failure = error as! NodePlanningError
            XCTAssertEqual(failure.error.code, .registrarCannotSign)
            XCTAssertTrue(failure.error.message.contains("registrar `lyon`"), failure.error.message)
            XCTAssertNotNil(failure.diagnostic)
        }
    }

    func testTheESPSecretIsPrivateAndWholeOrRefused() throws {
        let store = try self.store()
        let ir = try CompileFixture.ir(try CompileFixture.analysis("secondary-user"), store: store)
        let keys = try NodeKeys.load(ir, store: store, generateMissing: true)
        let path = store.directories[0] + "/" + NodeKeys.secretFileName
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: path)).count, 32)
        XCTAssertTrue(keys.generated.contains(NodeKeys.secretFileName))
        // Loaded again, not regenerated.
        XCTAssertEqual(try NodeKeys.load(ir, store: store, generateMissing: true).generated, [])
        // Readable by others: refused.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        XCTAssertThrowsError(try NodeKeys.load(ir, store: store, generateMissing: true)) { error in
            XCTAssertEqual((error as! NodePlanningError).error.code, .invalidSecret)
            XCTAssertTrue((error as! NodePlanningError).error.message.contains("mode 644"))
        }
        // Too short: refused.
        try FileManager.default.removeItem(atPath: path)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 16), attributes: [.posixPermissions: 0o600]))
        XCTAssertThrowsError(try NodeKeys.load(ir, store: store, generateMissing: true)) { error in
            XCTAssertEqual((error as! NodePlanningError).error.code, .invalidSecret)
        }
        // Missing, without --generate-missing-keys: refused.
        try FileManager.default.removeItem(atPath: path)
        XCTAssertThrowsError(try NodeKeys.load(ir, store: store, generateMissing: false)) { error in
            XCTAssertEqual((error as! NodePlanningError).error.code, .invalidSecret)
            XCTAssertTrue((error as! NodePlanningError).error.help?.contains("--generate-missing-keys") ?? false)
        }
    }

    /// A login whose chain has a cert not signed yet (alice's delegation to bob, without
    /// alice's private key) is left out and reported; the others stay.
    func testLoginsWithAPendingCertAreLeftOut() throws {
        let first = try CompileFixture.temporaryDirectory(self)
        let registrars = try CompileFixture.temporaryDirectory(self)
        for name in ["lyon", "sophia"] {
            try FileManager.default.copyItem(atPath: PackagePaths.corpus("keys").appendingPathComponent("\(name).key").path, toPath: registrars + "/\(name).key")
        }
        let store = KeyStoreDirectory(directories: [first, PackagePaths.corpus("vm-keys").path, registrars])
        let (result, _, _) = try plan("bronze-standard", store: store)
        XCTAssertEqual(result.plan.logins.count, 35)
        XCTAssertTrue(result.plan.logins.allSatisfy { $0.user == "alice" })
        XCTAssertEqual(result.pendingLogins.count, 32)
        XCTAssertEqual(result.pendingLogins.first, NodeLogins.Pending(user: "bob", vpxi: "bronze-standard", machine: "worker[1]"))
    }

    /// Before the window, the run issues the first epoch's certificates: the keys reach to
    /// their end, so the bundles have SAs for the first epochs.
    func testKeysBeforeTheWindowCoverTheFirstEpochsCertificates() throws {
        let store = try self.store()
        let ir = try CompileFixture.ir(try CompileFixture.analysis("bronze-standard"), store: store)
        let keys = try NodeKeys.load(ir, store: store, generateMissing: true)
        let early = CompileFixture.at - 30 * 86_400
        let result = try NodeBundlePlanner.plan(ir: ir, at: early, keys: keys)
        XCTAssertEqual(result.plan.keyHorizon, CompileFixture.at + 36 * 3600 - early)
        XCTAssertEqual(result.plan.logins.count, 67)
        let builder = try BundleBuilder(plan: result.plan, secrets: keys.secrets)
        let inWindow = try BundleBuilder(plan: try NodeBundlePlanner.plan(ir: ir, at: CompileFixture.at, keys: keys).plan, secrets: keys.secrets)
        XCTAssertEqual(builder.securityAssociationCount, inWindow.securityAssociationCount)
        XCTAssertGreaterThan(builder.securityAssociationCount, 0)
    }

    func testSuites() {
        XCTAssertEqual(NodeBundlePlanner.suite(nil), .aes128GCM)
        XCTAssertEqual(NodeBundlePlanner.suite(.aes128GCM), .aes128GCM)
        XCTAssertEqual(NodeBundlePlanner.suite(.aes256GCM), .aes256GCM)
        XCTAssertEqual(NodeBundlePlanner.suite(.chacha20Poly1305), .chacha20Poly1305)
        XCTAssertNil(NodeBundlePlanner.suite(Protection.none))
    }
}
