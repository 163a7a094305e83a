import Agent
import Backends
import Foundation
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// Real bundles for the agent's tests, built with the back ends' `BundleBuilder` from a
/// hand-made `BundlePlan` over the fixture keys of `corpus/backends/keys`:
///
/// - registrar `lyon`; host-a (10.0.0.1) runs vm-1, host-b (10.0.0.2) runs vm-2;
/// - VPXI `bronze` over `window`, renewed every 12 h with 36-hour certificates;
/// - one AES-128-GCM link vm-1–vm-2;
/// - logins as given, each with a real chain: vm-1's key grants the registrar everything
///   on vm-1 (with delegation), the registrar grants the user `rights` on vm-1.
struct BundleLab {
    struct Login {
        var vm = "vm-1"
        var user = "alice"
        /// The key the chain grants to (a fixture key name).
        var chainKey = "alice"
        /// The key written in the bundle (nil: none).
        var sshKey: String? = "alice"
        var rights: Tag = .string("ssh")
        var notBefore: SPKIDate?
        var expires: SPKIDate
        /// The validity of the registrar's cert (nil: the login's).
        var chainValidity: Validity?
        /// An OpenSSH key line instead of the fixture key `sshKey`, and the chain granted to
        /// its principal (for keys made by ssh-keygen).
        var sshLine: String?
        /// The key line the chain grants to, when not `sshLine`.
        var chainLine: String?
        /// The VM the chain is about (nil: the login's).
        var chainVM: String?
        /// Who issues (and signs) the cert to the user (nil: the registrar).
        var chainIssuer: String?
    }

    var window: (start: SPKIDate, end: SPKIDate)
    var generatedAt: SPKIDate
    var logins: [Login] = []
    var registrarKey = "registrar"
    var suite: Backends.ESPSuite = .aes128GCM
    /// The locators of host-a and host-b.
    var locators = ("10.0.0.1", "10.0.0.2")

    static func key(_ name: String) throws -> RSAKeyFile {
        try RSAKeyFile.load(Array(Data(contentsOf: PackagePaths.corpus("backends").appendingPathComponent("keys/\(name).pem"))))
    }

    static func sshLine(_ name: String) throws -> String {
        String(decoding: try key(name).publicKeyBytes(.ssh), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A window around `now`, whole seconds.
    static func around(_ now: Date = Date(), before: Int64 = 3600, after: Int64 = 2 * 86400) -> (start: SPKIDate, end: SPKIDate) {
        let seconds = Int64(now.timeIntervalSince1970)
        return (SPKIDate(secondsSinceEpoch: seconds - before), SPKIDate(secondsSinceEpoch: seconds + after))
    }

    func plan() throws -> BundlePlan {
        let registrar = BundlePlan.Registrar(name: "lyon", signingKey: try Self.key(registrarKey).requirePrivateKey())
        let hosts = [
            BundlePlan.Host(name: "host-a", publicKey: try Self.key("host-a").publicKey, locators: [locators.0], hypervisor: .kvm, registrar: "lyon"),
            BundlePlan.Host(name: "host-b", publicKey: try Self.key("host-b").publicKey, locators: [locators.1], hypervisor: .kvm, registrar: "lyon"),
        ]
        let epochs = BundlePlan.Epoch.renewals(windowStart: window.start, windowEnd: window.end, period: 12 * 3600, lifetime: 36 * 3600)
        let vpxi = BundlePlan.VPXI(name: "bronze", windowStart: window.start, windowEnd: window.end, epochs: epochs)
        let vms = [
            BundlePlan.VM(name: "vm-1", vpxi: "bronze", host: "host-a", publicKey: try Self.key("vm-1").publicKey, cpus: 1, memoryBytes: 512 << 20),
            BundlePlan.VM(name: "vm-2", vpxi: "bronze", host: "host-b", publicKey: try Self.key("vm-2").publicKey, cpus: 1, memoryBytes: 512 << 20),
        ]
        let planLogins = try logins.map { login in
            BundlePlan.Login(vm: login.vm, user: login.user, sshPublicKey: try login.sshLine ?? login.sshKey.map(Self.sshLine),
                             chain: try chain(login), notBefore: login.notBefore, expires: login.expires)
        }
        return BundlePlan(generatedAt: generatedAt, registrars: [registrar], hosts: hosts, vpxis: [vpxi], vms: vms,
                          links: [BundlePlan.Link("vm-1", "vm-2", suite: suite)], logins: planLogins)
    }

    /// The chain the user presents: vm → registrar (propagate, everything on the VM), registrar → user.
    func chain(_ login: Login) throws -> SExpr {
        let vm = try Self.key(login.chainVM ?? login.vm), registrar = try Self.key(registrarKey)
        let resource = Principal(key: vm).sha256Hash.tail.compactMap { $0.atomValue.map(Tag.atom) }
        func onVM(_ rights: Tag) -> Tag { .list("vpxi", [.string("bronze"), .list("resource", [.list("hash", resource)]), rights]) }
        let windowValidity = Validity(notBefore: window.start, notAfter: window.end)
        let grant = Cert(issuer: Principal(key: vm), subject: .principal(Principal(key: registrar)), tag: onVM(.all),
                         propagate: true, validity: windowValidity)
        let issuer = try Self.key(login.chainIssuer ?? registrarKey)
        let subject = try (login.chainLine ?? login.sshLine).map(Self.ed25519Principal) ?? Principal(key: try Self.key(login.chainKey))
        let access = Cert(issuer: Principal(key: issuer), subject: .principal(subject),
                          tag: onVM(login.rights),
                          validity: login.chainValidity ?? Validity(notBefore: login.notBefore ?? window.start, notAfter: login.expires))
        let sequence = SPKISequence(items: [
            .cert(grant), .signature(try grant.sign(with: vm)),
            .cert(access), .signature(try access.sign(with: issuer)),
        ])
        return sequence.sexp
    }

    /// The principal of an `ssh-ed25519` key line, as the compiler names it.
    static func ed25519Principal(_ line: String) throws -> Principal {
        let blob = try XCTUnwrap(Data(base64Encoded: String(line.split(separator: " ")[1])))
        let q = [UInt8(0x40)] + Array(blob.suffix(32))
        return try Principal(parsing: ["public-key", ["ecc", ["curve", "Ed25519"], ["flags", "eddsa"], ["q", .bytes(q)]]])
    }

    func bundles() throws -> [String: HostBundle] {
        let builder = try BundleBuilder(plan: try plan(), secrets: try BundleSecrets(espMasterKey: Array(repeating: 7, count: 32)))
        return Dictionary(uniqueKeysWithValues: try builder.buildAll().map { ($0.host, $0) })
    }

    func files(_ host: String = "host-a") throws -> [String: [UInt8]] {
        let bundle = try XCTUnwrap(try bundles()[host])
        return Dictionary(uniqueKeysWithValues: bundle.files.map { ($0.path, $0.bytes) })
    }

    /// `files` with `path` replaced by `bytes`, and a new manifest signed by the registrar:
    /// a bundle that is authentic but says something else (for checks beyond the signature).
    func resigned(_ files: [String: [UInt8]], _ path: String, _ bytes: [UInt8]) throws -> [String: [UInt8]] {
        var files = files
        files[path] = bytes
        let old = try BundleManifest(parsing: try SExpr.parse(files[BundleManifest.fileName]!))
        let listed = files.filter { $0.key != BundleManifest.fileName && $0.key != BundleManifest.signatureFileName }
            .map { BundleFile(path: $0.key, bytes: $0.value) }
        let manifest = BundleManifest(host: old.host, hostKey: old.hostKey, registrar: old.registrar, registrarKey: old.registrarKey,
                                      generatedAt: old.generatedAt, files: listed).sexp.canonical
        let registrar = try Self.key(registrarKey)
        let signature = try SPKISignature.sign(canonical: manifest, signer: try RSASigner(key: try registrar.requirePrivateKey()),
                                               principal: registrar.publicKeySExpr)
        files[BundleManifest.fileName] = manifest
        files[BundleManifest.signatureFileName] = signature.sexp.canonical
        return files
    }

    /// Writes every host's bundle under `directory` (atomically, as the compiler does),
    /// with one byte of `corrupting` changed first when given, so that a watching agent
    /// never sees the good version.
    func write(to directory: String, corrupting: (host: String, path: String)? = nil) throws {
        var all = Array(try bundles().values)
        if let corrupting, let index = all.firstIndex(where: { $0.host == corrupting.host }) {
            let files = all[index].files.map { file -> BundleFile in
                guard file.path == corrupting.path else { return file }
                var bytes = file.bytes
                bytes[bytes.count / 3] ^= 0x04
                return BundleFile(path: file.path, bytes: bytes, mode: file.mode)
            }
            all[index] = HostBundle(host: corrupting.host, files: files)
        }
        _ = try BundleWriter.write(all, to: directory)
    }

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    static func spki(_ text: String) -> SPKIDate { SPKIDate(secondsSinceEpoch: Int64(date(text).timeIntervalSince1970)) }

    static func temporaryDirectory(_ name: String) throws -> URL {
        try TemporaryDirectory.make("vpxi-\(name)")
    }
}
