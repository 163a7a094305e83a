import Dispatch
import Hashing
import RSA
import SExpr

/// Turns a `BundlePlan` into one `HostBundle` per physical host: a pure function of the plan
/// and the secrets (no I/O, no clock, no randomness of its own), so the same input gives
/// the same bytes. `BundleWriter` puts the result on disk.
///
/// A bundle holds:
/// - `peers.sexp`, `hip/hosts` (HIPL), `hip/known_host_identities.xml` (OpenHIP),
///   `hip/peers.zone` (DNS HIP RRs): the peers of the host's VMs;
/// - `esp.sexp` (wrapped keys) and `esp/xfrm.sh` (kernel ESP, key placeholders);
/// - `vms/NAME.xml`, `vms/NAME.volume.xml` (libvirt), and `vms/NAME.cfg` (Xen `xl`);
/// - `authorized.sexp`: who may log into each VM;
/// - `manifest.sexp` and `manifest.sig`: every file's SHA-256, signed by the registrar.
public struct BundleBuilder: Sendable {
    let resolved: ResolvedPlan
    let sas: SecurityAssociations
    let secrets: BundleSecrets
    /// Where the files no epoch changes are kept between builds, if anywhere.
    let cache: BundleFileCache?

    /// Checks the plan and derives what every bundle shares (HITs, LSIs, SPIs). With
    /// `cache`, the VMs' hypervisor files and the hosts' peer files made by an earlier
    /// builder from the same inputs are reused (the same bytes), and so is the checked
    /// part of a plan with the same registrars, hosts, VPXIs, VMs and links.
    public init(plan: BundlePlan, secrets: BundleSecrets, cache: BundleFileCache? = nil) throws(BackendsError) {
        if let cache {
            resolved = try cache.resolved(plan)
        } else {
            resolved = try ResolvedPlan(plan)
        }
        sas = try SecurityAssociations(resolved)
        self.secrets = secrets
        self.cache = cache
    }

    /// The hosts, in the plan's order.
    public var hostNames: [String] { resolved.plan.hosts.map(\.name) }

    /// The HIT of each VM, by VM name.
    public var hits: [String: HIT] {
        Dictionary(uniqueKeysWithValues: zip(resolved.plan.vms.map(\.name), resolved.hits))
    }

    /// The number of security associations in the plan (each direction of each link in
    /// each epoch).
    public var securityAssociationCount: Int { sas.all.count }

    /// The bundle of one host.
    public func build(host name: String) throws(BackendsError) -> HostBundle {
        guard let host = resolved.hostIndex[name] else {
            throw BackendsError(.unknownHost, "`\(name)` is not a host of the plan")
        }
        return try build(host: host, signer: try makeSigner(resolved.plan.hosts[host].registrar))
    }

    /// The bundle of one host, its manifest signed with `signer` (the caller's: a signer
    /// keeps its blinding state and scratch space, so a caller building many bundles keeps
    /// one). `signer` must hold the private key of the host's registrar.
    public func build(host name: String, signer: RSASigner) throws(BackendsError) -> HostBundle {
        guard let host = resolved.hostIndex[name] else {
            throw BackendsError(.unknownHost, "`\(name)` is not a host of the plan")
        }
        let registrar = resolved.plan.registrars[resolved.registrarIndex[resolved.plan.hosts[host].registrar]!]
        guard signer.key.publicKey == registrar.publicKey else {
            throw BackendsError(.registrarCannotSign, "the signer given for `\(name)` does not hold the key of its registrar `\(registrar.name)`")
        }
        return try build(host: host, signer: signer)
    }

    func makeSigner(_ name: String) throws(BackendsError) -> RSASigner {
        let registrar = resolved.plan.registrars[resolved.registrarIndex[name]!]
        do {
            return try RSASigner(key: registrar.signingKey!)
        } catch {
            throw BackendsError(.registrarCannotSign, "registrar `\(name)` cannot sign: \(error.message)")
        }
    }

    /// Every host's bundle, in the plan's host order, built on all cores.
    public func buildAll() throws(BackendsError) -> [HostBundle] {
        let count = resolved.plan.hosts.count
        guard count > 0 else { return [] }
        let workers = min(count, max(1, System.coreCount))
        let results = ResultSlots<HostBundle>(count: count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            // One signer per worker and registrar: signers keep scratch state.
            var signers: [String: RSASigner] = [:]
            var host = worker
            while host < count {
                let registrarName = resolved.plan.hosts[host].registrar
                do throws(BackendsError) {
                    let signer: RSASigner
                    if let existing = signers[registrarName] {
                        signer = existing
                    } else {
                        signer = try makeSigner(registrarName)
                        signers[registrarName] = signer
                    }
                    results.set(host, .success(try build(host: host, signer: signer)))
                } catch {
                    results.set(host, .failure(error))
                }
                host += workers
            }
        }
        return try results.collect()
    }

    func build(host: Int, signer: RSASigner) throws(BackendsError) -> HostBundle {
        let plan = resolved.plan
        let hostValue = plan.hosts[host]
        let ends = LinkEnd.of(host: host, resolved: resolved, sas: sas)
        var files = cache?.peerFiles(host: host, resolved: resolved) { makePeerFiles($0) }
            ?? makePeerFiles(PeerTable(host: host, resolved: resolved))
        if ends.isEmpty, let cache {
            files += try cache.linklessFiles(host: hostValue.name) { () throws(BackendsError) in try makeESPFiles(host: host, ends: ends) }
        } else {
            files += try makeESPFiles(host: host, ends: ends)
        }
        let authorized = cache.map { $0.authorized(host: host, resolved: resolved) }
        files.append(BundleFile(path: "authorized.sexp", bytes: authorized ?? AuthorizedFile.text(host: host, resolved: resolved)))
        for vm in resolved.vmsOfHost[host] {
            files += cache?.vmFiles(vm, resolved: resolved) { makeVMFiles(vm) } ?? makeVMFiles(vm)
        }
        let registrarIndex = resolved.registrarIndex[hostValue.registrar]!
        let registrar = plan.registrars[registrarIndex]
        let registrarKey = resolved.base.registrarKeys[registrarIndex]
        let digests = cache?.sha256s(files, host: hostValue.name) ?? files.map { HashAlgorithm.sha256.digest($0.bytes) }
        let entries = zip(files, digests).map { file, digest in
            BundleManifest.Entry(path: file.path, size: file.bytes.count, mode: file.mode, sha256: digest)
        }
        let manifest = BundleManifest(host: hostValue.name, hostKey: hostValue.publicKeySExpr, registrar: registrar.name,
                                      registrarKey: registrar.publicKeySExpr, generatedAt: plan.generatedAt, entries: entries)
        let canonical = manifest.canonical(hostKey: resolved.base.hostKeys[host], registrarKey: registrarKey)
        let signature: SPKISignature
        do {
            signature = try SPKISignature.sign(canonical: canonical, signer: signer, principal: registrar.publicKeySExpr)
        } catch {
            throw BackendsError(.cryptoFailure, "signing the manifest of `\(hostValue.name)` failed: \(error.message)")
        }
        // Both in canonical form: the exact bytes that are signed, so that no byte of either
        // can change without the change being seen.
        files.append(BundleFile(path: BundleManifest.fileName, bytes: canonical))
        files.append(BundleFile(path: BundleManifest.signatureFileName, bytes: signature.canonicalBytes(principalCanonical: registrarKey)))
        return HostBundle(host: hostValue.name, files: files)
    }

    /// `esp.sexp` and `esp/xfrm.sh` of host `host`, whose link ends are `ends`.
    func makeESPFiles(host: Int, ends: [LinkEnd]) throws(BackendsError) -> [BundleFile] {
        [BundleFile(path: "esp.sexp", bytes: try ESPScheduleFile.text(host: host, ends: ends, resolved: resolved, sas: sas, secrets: secrets)),
         BundleFile(path: "esp/xfrm.sh", text: XfrmScript.make(hostName: resolved.plan.hosts[host].name, ends: ends, resolved: resolved, sas: sas),
                    mode: 0o755)]
    }

    /// The peer files of the host of `table`.
    func makePeerFiles(_ table: PeerTable) -> [BundleFile] {
        [BundleFile(path: "peers.sexp", bytes: table.text(resolved)),
         BundleFile(path: "hip/hosts", text: HIPExports.hiplHosts(table, resolved: resolved)),
         BundleFile(path: "hip/known_host_identities.xml", text: HIPExports.openHIPKnownHosts(table, resolved: resolved)),
         BundleFile(path: "hip/peers.zone", text: HIPExports.dnsZone(table, resolved: resolved))]
    }

    /// The hypervisor files of VM `vm`.
    func makeVMFiles(_ vm: Int) -> [BundleFile] {
        let name = resolved.plan.vms[vm].name
        var files = [BundleFile(path: "vms/\(name).xml", text: VMConfigs.libvirtDomain(vm: vm, resolved: resolved)),
                     BundleFile(path: "vms/\(name).volume.xml", text: VMConfigs.libvirtVolume(vm: vm, resolved: resolved))]
        if resolved.plan.hosts[resolved.host(of: vm)].hypervisor == .xen {
            files.append(BundleFile(path: "vms/\(name).cfg", text: VMConfigs.xlConfig(vm: vm, resolved: resolved)))
        }
        return files
    }

    /// The width the S-expression files are broken to (advanced form).
    static let width = 100
}
