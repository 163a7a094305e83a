import PolicyCompiler
import SExpr

/// Where the per-host bundles of an epoch come from: the seam where the compiler's
/// mapping to `Backends.BundlePlan` (HIP peers, ESP schedules, VM configs) plugs in.
/// The registrar stores and serves whatever bytes it returns, by host, with an ETag.
public protocol BundleSource: Sendable {
    /// The bundle of every host that runs machines of the vpxi, by host name.
    func bundles(for issue: EpochIssue, compiled: VPXICompiler.Compiled) throws(RegistrarError) -> [String: [UInt8]]
}

/// The bundle until the back-end mapping is wired: for each host, its machines of the
/// vpxi, each with its ACL and the signed certificates that name it, as
/// `(vpxi-bundle (host H) (vpxi V) (epoch K) (machine M (slot N) ACL (sequence ...)) ...)`
/// in canonical form.
public struct CertificateBundleSource: BundleSource {
    public init() {}

    public func bundles(for issue: EpochIssue, compiled: VPXICompiler.Compiled) throws(RegistrarError) -> [String: [UInt8]] {
        let vpxi = compiled.model.vpxis[compiled.vpxi]
        var byHost: [String: [SExpr]] = [:]
        let acls = CertPlanner(ir: compiled.ir)
        for (m, machine) in vpxi.machines.enumerated() {
            let slot = compiled.slots[m]
            var sequence: [SExpr] = ["sequence"]
            for cert in issue.certs where cert.machine == machine.name && cert.signed {
                sequence += cert.body.head == "sequence" ? Array(cert.body.tail) : [cert.body]
            }
            let entry: SExpr = ["machine", .string(machine.name), ["slot", .string(String(slot.index))],
                                acls.acl(vpxi: compiled.vpxi, machine: m).sexp, .list(sequence)]
            byHost[slot.host, default: []].append(entry)
        }
        var result: [String: [UInt8]] = [:]
        for (host, machines) in byHost {
            let document: SExpr = .list(["vpxi-bundle", ["host", .string(host)], ["vpxi", .string(issue.vpxi)],
                                         ["epoch", .string(String(issue.epoch.index))],
                                         ["not-after", .string(String(issue.epoch.validity.end))]] + machines)
            result[host] = document.canonical
        }
        return result
    }
}
