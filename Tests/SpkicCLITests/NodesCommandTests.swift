import Backends
import Foundation
import RSA
import SExpr
import TestSupport
import XCTest

/// `spkic nodes` and `spkic compile --nodes`, run as a user would on the shipped examples
/// (large-pool excepted: its 600 host keys would be generated on each run), with the demo
/// keys; host keys and the ESP secret generated in a temporary store. Each bundle is
/// checked with `BundleVerifier` (the agent's check), every VM XML with
/// `virt-xml-validate`, wrapped keys with `openssl pkeyutl`, every login chain with
/// `spki reduce` against the VM's ACL.
final class NodesCommandTests: XCTestCase {
    static let demoKeys = ["--keys", "corpus/vm-keys", "--keys", "corpus/keys"]
    static let at = ["--at", "2026-12-01T08:00Z"]
    static let examples = ["bronze-standard", "secondary-user", "two-registrars", "with-include"]

    private func temporary() throws -> String {
        let directory = try SpkicRunner.temporaryDirectory()
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.path
    }

    /// Runs `spkic nodes` on an example with a fresh store (or `store`); the store and output.
    private func nodes(_ name: String, store: String? = nil, extra: [String] = []) throws -> (SpkicRunner.Output, store: String, out: String) {
        let root = try temporary()
        let store = store ?? root + "/keys"
        let out = root + "/nodes"
        let result = try SpkicRunner.run(["nodes", "corpus/policies/ok/\(name).vp", "-o", out, "--keys", store] + Self.demoKeys + Self.at
                                         + ["--generate-missing-keys"] + extra)
        return (result, store, out)
    }

    static func hosts(_ out: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: out).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func key(_ path: String) throws -> RSAKeyFile {
        try RSAKeyFile.load(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// Every example: a bundle per registered host, each accepted by the agent's verifier
    /// with the host's key and its registrar's.
    func testEveryExampleGivesABundlePerHostThatVerifies() throws {
        for name in Self.examples {
            let (result, store, out) = try nodes(name)
            XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
            XCTAssertTrue(result.stdout.hasPrefix("nodes: "), result.stdout)
            let hosts = try Self.hosts(out)
            XCTAssertFalse(hosts.isEmpty, name)
            for host in hosts {
                let files = try BundleReader.read(directory: out + "/" + host)
                let manifest = try SExpr.parse(try XCTUnwrap(files["manifest.sexp"]))
                let registrar = try XCTUnwrap(manifest.first("registrar")?.tail.first?.text)
                let hostKey = try Self.key(store + "/\(host).key")
                let verified = try BundleVerifier.verify(files: files, registrar: try Self.key("corpus/keys/\(registrar).key"),
                                                         host: host, hostKey: hostKey.publicKey)
                XCTAssertEqual(verified.host, host)
                // Another host's key is refused.
                let other = try Self.key(store + "/\(hosts.first { $0 != host }!).key")
                XCTAssertThrowsError(try BundleVerifier.verify(files: files, registrar: try Self.key("corpus/keys/\(registrar).key"),
                                                               host: host, hostKey: other.publicKey), "\(name) \(host)")
            }
        }
    }

    func testEveryVMXMLPassesVirtXMLValidate() throws {
        let validate = try ExternalTool.require("virt-xml-validate", package: "libvirt-clients")
        var checked = 0
        for name in ["bronze-standard", "two-registrars"] {
            let (result, _, out) = try nodes(name)
            XCTAssertEqual(result.status, 0, result.stderr)
            for host in try Self.hosts(out) {
                let vms = out + "/\(host)/vms"
                for file in (try? FileManager.default.contentsOfDirectory(atPath: vms)) ?? [] where file.hasSuffix(".xml") {
                    let checkedResult = try ExternalTool.run(validate, [vms + "/" + file])
                    XCTAssertEqual(checkedResult.status, 0, "\(host)/vms/\(file): \(checkedResult.stderrText)")
                    checked += 1
                }
            }
        }
        XCTAssertEqual(checked, 2 * (35 + 7), "a domain and a volume per VM")
    }

    /// Every wrapped key of a host's schedule decrypts with OpenSSL and the host's key
    /// (RSA-OAEP, SHA-256, MGF1-SHA-256) into the two KEYMATs of its suite.
    func testWrappedKeysDecryptWithOpenSSL() throws {
        let openssl = try ExternalTool.require("openssl", package: "openssl")
        let (result, store, out) = try nodes("bronze-standard")
        XCTAssertEqual(result.status, 0, result.stderr)
        let scratch = try temporary()
        var decrypted = 0
        for host in try Self.hosts(out) {
            let schedule = try SExpr.parse(Array(try Data(contentsOf: URL(fileURLWithPath: out + "/\(host)/esp.sexp"))))
            let ends = schedule.tail.filter { $0.head == "link-end" }
            guard !ends.isEmpty else { continue }
            let pem = scratch + "/\(host).pem"
            let key = try Self.key(store + "/\(host).key")
            try Data(try XCTUnwrap(key.privateKeyBytes(.pkcs8))).write(to: URL(fileURLWithPath: pem))
            for end in ends.prefix(3) {
                XCTAssertEqual(end.first("suite")?.tail.first?.text, "aes-128-gcm")
                for epoch in end.tail.filter({ $0.head == "epoch" }) {
                    let wrapped = try XCTUnwrap(epoch.first("keys")?.tail.first?.atomBytes)
                    let input = scratch + "/wrapped.bin"
                    try Data(wrapped).write(to: URL(fileURLWithPath: input))
                    let plain = try ExternalTool.run(openssl, ["pkeyutl", "-decrypt", "-inkey", pem, "-in", input,
                                                               "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"])
                    XCTAssertEqual(plain.status, 0, plain.stderrText)
                    XCTAssertEqual(plain.stdout.count, 2 * (16 + 4), "inbound and outbound AES-128-GCM key and salt")
                    XCTAssertEqual(plain.stdout, try key.privateKey!.decryptOAEP(wrapped), "OpenSSL and our OAEP agree")
                    decrypted += 1
                }
            }
        }
        XCTAssertGreaterThan(decrypted, 50)
    }

    /// `compile --nodes`: the chains in `authorized.sexp` are the compiler's, and each
    /// reduces with `spki reduce` against the VM's ACL in the compiler's output.
    func testCompileWithNodesAndTheChainsReduceAgainstTheACLs() throws {
        let spki = try SpkicRunner.binary().deletingLastPathComponent().appendingPathComponent("spki").path
        guard FileManager.default.isExecutableFile(atPath: spki) else { return XCTFail("the spki binary is not built at \(spki): run `swift build` first") }
        let root = try temporary()
        let result = try SpkicRunner.run(["compile", "corpus/policies/ok/bronze-standard.vp", "-o", root + "/certs", "--nodes", root + "/nodes",
                                          "--keys", root + "/keys"] + Self.demoKeys + Self.at + ["--generate-missing-keys"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("nodes: 36 bundles in \(root)/nodes: 35 VMs, 65 links"), result.stdout)
        // The same bundles as `spkic nodes` with the same store.
        let alone = try SpkicRunner.run(["nodes", "corpus/policies/ok/bronze-standard.vp", "-o", root + "/alone", "--keys", root + "/keys"]
                                        + Self.demoKeys + Self.at)
        XCTAssertEqual(alone.status, 0, alone.stderr)
        var checked = 0
        for host in try Self.hosts(root + "/nodes") {
            let files = try BundleReader.read(directory: root + "/nodes/" + host)
            XCTAssertEqual(files, try BundleReader.read(directory: root + "/alone/" + host), host)
            let authorized = try SExpr.parse(try XCTUnwrap(files["authorized.sexp"]))
            for vm in authorized.tail where vm.head == "vm" {
                let name = try XCTUnwrap(vm.first("name")?.tail.first?.text)
                let machine = String(name.dropFirst("bronze-standard-".count)).replacingOccurrences(of: "worker-", with: "worker[")
                let aclPath = try OutputACL.extract(root + "/certs", vpxi: "bronze-standard", machine: machine.hasPrefix("worker[") ? machine + "]" : machine,
                                                    to: root + "/acl")
                for login in vm.tail where login.head == "login" {
                    let chain = try XCTUnwrap(login.first("chain")?.tail.first)
                    let chainPath = root + "/chain"
                    try Data(chain.canonical).write(to: URL(fileURLWithPath: chainPath))
                    let reduced = try ExternalTool.run(spki, ["reduce", "--acl", aclPath, "--at", "2026-12-01T09:00:00Z", chainPath])
                    XCTAssertEqual(reduced.status, 0, "\(host) \(name) \(login.first("user")!): \(reduced.stderrText)")
                    let entry = try XCTUnwrap(try SExpr.parse(reduced.stdout).tail.first)
                    XCTAssertTrue(entry.first("tag")?.description.contains("ssh") ?? false, "\(entry)")
                    checked += 1
                }
            }
        }
        XCTAssertEqual(checked, 35 + 32)
    }

    /// Pending requests signed with `spki sign` and merged: the logins their chains prove
    /// are in the bundles, on the run that merges them and on the next runs, where the
    /// certs are reused and their signatures are read back from `certs/<vpxi>`.
    func testPendingCertsSignedWithSpkiSignReachTheLoginChains() throws {
        let spki = try SpkicRunner.binary().deletingLastPathComponent().appendingPathComponent("spki").path
        guard FileManager.default.isExecutableFile(atPath: spki) else { return XCTFail("the spki binary is not built at \(spki): run `swift build` first") }
        let root = try temporary()
        // A key store without alice's private key: her delegations to bob are pending.
        try FileManager.default.createDirectory(atPath: root + "/people", withIntermediateDirectories: true)
        for registrar in ["lyon", "sophia"] {
            try FileManager.default.copyItem(atPath: "corpus/keys/\(registrar).key", toPath: root + "/people/\(registrar).key")
        }
        let arguments = ["compile", "corpus/policies/ok/bronze-standard.vp", "-o", root + "/certs", "--nodes", root + "/nodes",
                         "--keys", root + "/keys", "--keys", "corpus/vm-keys", "--keys", root + "/people"] + Self.at
        func logins() throws -> [String: Int] {
            var users: [String: Int] = [:]
            for host in try Self.hosts(root + "/nodes") {
                let authorized = try SExpr.parse(Array(try Data(contentsOf: URL(fileURLWithPath: root + "/nodes/\(host)/authorized.sexp"))))
                for vm in authorized.tail where vm.head == "vm" {
                    for login in vm.tail where login.head == "login" { users[login.first("user")!.tail.first!.text!, default: 0] += 1 }
                }
            }
            return users
        }
        let first = try SpkicRunner.run(arguments + ["--generate-missing-keys"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("warning: 32 logins left out of the bundles"), first.stderr)
        XCTAssertEqual(try logins(), ["alice": 35])
        // alice signs each request with `spki sign`.
        let pending = try FileManager.default.contentsOfDirectory(atPath: root + "/certs/pending").filter { $0.hasSuffix(".tbs") }
        XCTAssertEqual(pending.count, 32)
        for request in pending {
            let path = root + "/certs/pending/" + request
            let signed = try ExternalTool.run(spki, ["sign", "--key", "corpus/keys/alice.key", path, "-o", path.replacingOccurrences(of: ".tbs", with: ".sig")])
            XCTAssertEqual(signed.status, 0, signed.stderrText)
        }
        for run in ["merged", "reused", "reused again"] {
            let result = try SpkicRunner.run(arguments)
            XCTAssertEqual(result.status, 0, "\(run): \(result.stderr)")
            XCTAssertFalse(result.stderr.contains("left out"), "\(run): \(result.stderr)")
            XCTAssertEqual(try logins(), ["alice": 35, "bob": 32], run)
        }
        // Each of bob's chains reduces against its VM's ACL: alice's signatures are there.
        var checked = 0
        for host in try Self.hosts(root + "/nodes") {
            let authorized = try SExpr.parse(Array(try Data(contentsOf: URL(fileURLWithPath: root + "/nodes/\(host)/authorized.sexp"))))
            for vm in authorized.tail where vm.head == "vm" {
                let name = try XCTUnwrap(vm.first("name")?.tail.first?.text)
                let machine = String(name.dropFirst("bronze-standard-".count)).replacingOccurrences(of: "worker-", with: "worker[")
                let aclPath = try OutputACL.extract(root + "/certs", vpxi: "bronze-standard", machine: machine.hasPrefix("worker[") ? machine + "]" : machine,
                                                    to: root + "/acl")
                for login in vm.tail where login.head == "login" && login.first("user")?.tail.first?.text == "bob" {
                    try Data(try XCTUnwrap(login.first("chain")?.tail.first).canonical).write(to: URL(fileURLWithPath: root + "/chain"))
                    let reduced = try ExternalTool.run(spki, ["reduce", "--acl", aclPath, "--at", "2026-12-01T09:00:00Z", root + "/chain"])
                    XCTAssertEqual(reduced.status, 0, "\(host) \(name): \(reduced.stderrText)")
                    checked += 1
                }
            }
        }
        XCTAssertEqual(checked, 32)
    }

    /// Two runs with the same store give the same bytes; a re-run into the same output
    /// replaces each bundle with identical content.
    func testDeterministic() throws {
        let (first, store, out) = try nodes("two-registrars")
        XCTAssertEqual(first.status, 0, first.stderr)
        let second = try SpkicRunner.run(["nodes", "corpus/policies/ok/two-registrars.vp", "-o", out + "2", "--keys", store] + Self.demoKeys + Self.at)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertFalse(second.stdout.contains("generated"), second.stdout)
        let hosts = try Self.hosts(out)
        XCTAssertEqual(hosts, try Self.hosts(out + "2"))
        let before = try hosts.map { try BundleReader.read(directory: out + "/" + $0) }
        for (index, host) in hosts.enumerated() {
            XCTAssertEqual(before[index], try BundleReader.read(directory: out + "2/" + host), host)
        }
        let again = try SpkicRunner.run(["nodes", "corpus/policies/ok/two-registrars.vp", "-o", out, "--keys", store] + Self.demoKeys + Self.at)
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertEqual(try hosts.map { try BundleReader.read(directory: out + "/" + $0) }, before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: out).sorted(), hosts, "no temporary folder left")
    }

    func testAMissingHostKeyIsRefusedAtItsDeclarationAndNothingIsWritten() throws {
        let root = try temporary()
        let out = root + "/nodes"
        let result = try SpkicRunner.run(["nodes", "corpus/policies/ok/bronze-standard.vp", "-o", out, "--keys", root + "/keys"] + Self.demoKeys + Self.at)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("error[B022]: the key store has no key for 36 hosts"), result.stderr)
        XCTAssertTrue(result.stderr.contains("--> corpus/policies/ok/bronze-standard.vp:14:6"), "points at the host declaration: \(result.stderr)")
        XCTAssertTrue(result.stderr.contains("help: put each host's key at"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        // With --nodes, the certificates are not written either.
        let compiled = try SpkicRunner.run(["compile", "corpus/policies/ok/bronze-standard.vp", "-o", root + "/certs", "--nodes", out,
                                            "--keys", root + "/keys"] + Self.demoKeys + Self.at)
        XCTAssertEqual(compiled.status, 2)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/certs"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testAMissingRegistrarKeyIsRefused() throws {
        let root = try temporary()
        let out = root + "/nodes"
        // Machine keys only: the registrars' private keys are not in the store.
        let result = try SpkicRunner.run(["nodes", "corpus/policies/ok/secondary-user.vp", "-o", out, "--keys", root + "/keys",
                                          "--keys", "corpus/vm-keys", "--generate-missing-keys"] + Self.at)
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("error[B007]: the private key of registrar `lyon` is not in the key store"), result.stderr)
        XCTAssertTrue(result.stderr.contains("help: put the registrar's private key in the key store as `lyon.key`"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    }

    func testAnUnwritableOutputIsRefusedAndNothingIsHalfWritten() throws {
        let root = try temporary()
        XCTAssertTrue(FileManager.default.createFile(atPath: root + "/file", contents: Data("x".utf8)))
        let result = try SpkicRunner.run(["nodes", "corpus/policies/ok/secondary-user.vp", "-o", root + "/file/nodes", "--keys", root + "/keys"]
                                         + Self.demoKeys + Self.at + ["--generate-missing-keys"])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("[B040]"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root).sorted(), ["file", "keys"])
        // A read-only output directory: nothing appears in it.
        try FileManager.default.createDirectory(atPath: root + "/ro", withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: root + "/ro")
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root + "/ro") }
        guard getuid() != 0 else { return }  // root writes anyway
        let readOnly = try SpkicRunner.run(["nodes", "corpus/policies/ok/secondary-user.vp", "-o", root + "/ro", "--keys", root + "/keys"]
                                           + Self.demoKeys + Self.at)
        XCTAssertEqual(readOnly.status, 2, readOnly.stderr)
        XCTAssertTrue(readOnly.stderr.contains("[B040]"), readOnly.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root + "/ro"), [])
    }

    func testUsage() throws {
        let missing = try SpkicRunner.run(["nodes", "corpus/policies/ok/bronze-standard.vp"])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("-o"), missing.stderr)
        let noStore = try SpkicRunner.run(["nodes", "corpus/policies/ok/bronze-standard.vp", "-o", try temporary() + "/n"])
        XCTAssertEqual(noStore.status, 2)
        XCTAssertTrue(noStore.stderr.contains("--keys"), noStore.stderr)
        let help = try SpkicRunner.run(["nodes", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.stdout.contains("Examples:"))
    }
}
