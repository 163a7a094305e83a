import Backends
import RSA
import SExpr
import SPKI

/// Maps a compiled infrastructure onto the back ends' input: the `BundlePlan` from which
/// `BundleBuilder` makes one signed bundle per physical host (`Docs/nodes.md`).
///
/// - `generatedAt` is the compilation time; `keyHorizon` the longest certificate lifetime
///   (ESP keys for as long as the certificates of the same run last; before a vpxi's
///   window, until the end of its first epoch's certificates);
/// - registrars with their private keys from the key store (a host's registrar without one
///   is refused by the builder, `B007`);
/// - hosts: every host registered with a registrar (one that is not can run no VM, and no
///   registrar could sign its bundle), its key from the key store, locators in the order
///   written, its hypervisor (KVM when not said);
/// - vpxis: window and renewal epochs (`certificates valid L renew every P`);
/// - VMs: every machine, named by `VMNaming`, on the host it is placed on;
/// - links: one per pair of machines, with the suite of `protect` (`aes-128-gcm` when not
///   said, none for `protect none`), bandwidth and latency;
/// - logins: each (user, machine) `ssh` grant with its chain (`NodeLogins`).
public enum NodeBundlePlanner {
    /// A plan and what was left out of it.
    public struct Result: Sendable {
        public var plan: BundlePlan
        /// VM names by `[vpxi][machine]`.
        public var vmNames: [[String]]
        /// Logins whose chain is not signed yet, left out.
        public var pendingLogins: [NodeLogins.Pending]
        /// Hosts without a registration: no bundle.
        public var unregisteredHosts: [String]
    }

    /// The plan at `at` (seconds since the epoch). Pure: the keys are given, and the only
    /// work beyond copying is signing the chain certs whose signatures `signatures` lacks.
    /// `certs` is the compiler's plan at `at` when the caller has it.
    public static func plan(ir: InfrastructureIR, at: Int64, keys: NodeKeys, certs: CertPlan? = nil,
                            signatures: NodeLogins.Signatures? = nil) throws(NodePlanningError) -> Result {
        try plan(skeleton(ir: ir, keys: keys), ir: ir, at: at, certs: certs, signatures: signatures)
    }

    /// As above, from `skeleton` (`skeleton(ir:keys:)` of the same `ir`): only the logins,
    /// the key horizon and the time are worked out, so a caller planning the same
    /// infrastructure at many times (the registrar's renewals) makes the skeleton once.
    public static func plan(_ skeleton: Skeleton, ir: InfrastructureIR, at: Int64, certs: CertPlan? = nil,
                            signatures: NodeLogins.Signatures? = nil) throws(NodePlanningError) -> Result {
        let model = ir.model
        let vmNames = skeleton.vmNames
        let certPlan = certs ?? CertPlanner(ir: ir).plan(at: at)
        let (logins, pending) = try NodeLogins.logins(ir, plan: certPlan, vmNames: vmNames,
                                                      signatures: signatures ?? NodeLogins.Signatures(signers: ir.keys.signers))
        // Keys for as long as the certificates of this run last: the certificate lifetime,
        // or, before a window, until the end of its first epoch's certificates.
        var horizon = skeleton.lifetime
        for vpxi in model.vpxis where vpxi.window.end >= at {
            if let epoch = vpxi.schedule.epoch(at: at) { horizon = max(horizon, epoch.validity.end - at) }
        }
        let plan = BundlePlan(generatedAt: SPKIDate(secondsSinceEpoch: at), registrars: skeleton.registrars, hosts: skeleton.hosts,
                              vpxis: skeleton.vpxis, vms: skeleton.vms, links: skeleton.links, logins: logins,
                              keyHorizon: horizon > 0 ? horizon : nil)
        return Result(plan: plan, vmNames: vmNames, pendingLogins: pending, unregisteredHosts: skeleton.unregisteredHosts)
    }

    /// The part of a plan that does not depend on the time: registrars, hosts, vpxis, VMs,
    /// links and the VM names (checked as `plan` checks them).
    public struct Skeleton: Sendable {
        public var registrars: [BundlePlan.Registrar]
        public var hosts: [BundlePlan.Host]
        public var vpxis: [BundlePlan.VPXI]
        public var vms: [BundlePlan.VM]
        public var links: [BundlePlan.Link]
        /// VM names by `[vpxi][machine]`.
        public var vmNames: [[String]]
        public var unregisteredHosts: [String]
        /// The longest certificate lifetime of the vpxis.
        public var lifetime: Int64
    }

    /// The time-independent part of `ir`'s plan (host keys from `keys`).
    public static func skeleton(ir: InfrastructureIR, keys: NodeKeys) throws(NodePlanningError) -> Skeleton {
        let model = ir.model
        let vmNames = VMNaming.names(vpxis: model.vpxis.map(\.name), machines: model.vpxis.map { $0.machines.map(\.name) })
        var registrars: [BundlePlan.Registrar] = []
        for registrar in model.registrars {
            guard let rsa = registrar.key.rsa else {
                throw NodePlanningError(.registrarCannotSign, "the key of registrar `\(registrar.name)` (\(registrar.key.algorithm)) is not an RSA key: it cannot sign bundles",
                                        help: "give the registrar an RSA key of 2048 bits or more", at: registrar.range)
            }
            registrars.append(BundlePlan.Registrar(name: registrar.name, publicKey: rsa, publicKeySExpr: registrar.key.principal.sexp,
                                                   signingKey: ir.keys.signers[registrar.key.id]))
        }
        var hosts: [BundlePlan.Host] = []
        var unregistered: [String] = []
        for (index, host) in model.hosts.enumerated() {
            guard let registration = host.registration else {
                unregistered.append(host.name)
                continue
            }
            let registrar = model.registrars[registration.registrar]
            if ir.keys.signers[registrar.key.id] == nil {
                throw NodePlanningError(.registrarCannotSign,
                    "the private key of registrar `\(registrar.name)` is not in the key store, so the bundle of host `\(host.name)` cannot be signed",
                    help: "put the registrar's private key in the key store as `\(registrar.name).key`", at: registrar.range)
            }
            hosts.append(BundlePlan.Host(name: host.name, publicKey: keys.hosts[index], locators: host.locators,
                                         hypervisor: host.hypervisor == .xen ? .xen : .kvm, registrar: registrar.name))
        }
        var vpxis: [BundlePlan.VPXI] = []
        var vms: [BundlePlan.VM] = []
        var links: [BundlePlan.Link] = []
        var lifetime: Int64 = 0
        for (v, vpxi) in model.vpxis.enumerated() {
            let start = SPKIDate(secondsSinceEpoch: vpxi.window.start), end = SPKIDate(secondsSinceEpoch: vpxi.window.end)
            vpxis.append(BundlePlan.VPXI(name: vpxi.name, windowStart: start, windowEnd: end,
                                         epochs: BundlePlan.Epoch.renewals(windowStart: start, windowEnd: end, period: vpxi.renewal, lifetime: vpxi.lifetime)))
            lifetime = max(lifetime, vpxi.lifetime)
            for (m, machine) in vpxi.machines.enumerated() {
                let host = ir.placement.hosts[v][m]
                guard host != Placement.unplaced else {
                    throw NodePlanningError(.unknownHost, "machine `\(machine.name)` of vpxi `\(vpxi.name)` is not placed on a host", at: machine.range)
                }
                guard let key = ir.keys.machines[v][m].rsa else {
                    throw NodePlanningError(.invalidName, "the key of machine `\(machine.name)` of vpxi `\(vpxi.name)` is not an RSA key: it has no HIP host identity",
                                            at: machine.range)
                }
                vms.append(BundlePlan.VM(name: vmNames[v][m], vpxi: vpxi.name, host: model.hosts[host].name, publicKey: key,
                                         cpus: machine.cpus, memoryBytes: UInt64(max(0, machine.memoryBytes)),
                                         diskBytes: machine.diskBytes > 0 ? UInt64(machine.diskBytes) : nil, image: machine.image))
            }
            // One link per pair of machines (`a -> b` and `b -> a` are one HIP association).
            var pairs: [Int: Int] = [:]
            for link in vpxi.links where link.from != link.to {
                let (a, b) = (min(link.from, link.to), max(link.from, link.to))
                let key = a * vpxi.machines.count + b
                let suite = Self.suite(link.protection)
                if let existing = pairs[key] {
                    // Declared twice: keep the stronger claims of both.
                    var merged = links[existing]
                    if merged.suite == nil || suite == nil { merged.suite = merged.suite ?? suite }
                    merged.bandwidthBitsPerSecond = [merged.bandwidthBitsPerSecond, link.bandwidthBitsPerSecond.map(Self.bits)].compactMap { $0 }.max()
                    merged.latencyMicroseconds = [merged.latencyMicroseconds, link.latencyMilliseconds.map(Self.micros)].compactMap { $0 }.min()
                    links[existing] = merged
                    continue
                }
                pairs[key] = links.count
                links.append(BundlePlan.Link(vmNames[v][a], vmNames[v][b], suite: suite,
                                             bandwidthBitsPerSecond: link.bandwidthBitsPerSecond.map(Self.bits),
                                             latencyMicroseconds: link.latencyMilliseconds.map(Self.micros)))
            }
        }
        return Skeleton(registrars: registrars, hosts: hosts, vpxis: vpxis, vms: vms, links: links, vmNames: vmNames,
                        unregisteredHosts: unregistered, lifetime: lifetime)
    }

    /// Loads the node keys from `keyStore` (see `NodeKeys.load`), then plans.
    public static func plan(ir: InfrastructureIR, at: Int64, keyStore: KeyStoreDirectory, generateMissing: Bool = false) throws(NodePlanningError) -> (Result, NodeKeys) {
        let keys = try NodeKeys.load(ir, store: keyStore, generateMissing: generateMissing)
        return (try plan(ir: ir, at: at, keys: keys), keys)
    }

    /// The ESP suite of a link's `protect` (none: no SA).
    public static func suite(_ protection: Protection?) -> ESPSuite? {
        switch protection {
        case nil, .aes128GCM?: return .aes128GCM
        case .aes256GCM?: return .aes256GCM
        case .chacha20Poly1305?: return .chacha20Poly1305
        case Protection.none?: return nil
        }
    }

    static func bits(_ value: Double) -> UInt64 { value <= 0 ? 0 : UInt64(min(value.rounded(), 1.8e19)) }
    static func micros(_ milliseconds: Double) -> UInt64 { bits(milliseconds * 1000) }
}
