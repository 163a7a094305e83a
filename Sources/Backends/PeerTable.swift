import SExpr

/// The peers of a host: every VM linked to a VM of the host, with its name, Host Identity
/// (public key), HIT, LSI, the locators of the host that runs it (in order) and that host.
/// Written as `peers.sexp`, and exported for real HIP stacks by `HIPLHostsFile`,
/// `OpenHIPKnownHostsFile` and `DNSZoneFile`.
struct PeerTable: Sendable {
    struct Peer: Sendable {
        var vm: Int
        /// The local VMs linked to it, sorted.
        var linkedFrom: [String]
    }

    let host: Int
    /// The host's own VMs, sorted by name.
    let locals: [Int]
    /// Sorted by name.
    let peers: [Peer]

    init(host: Int, resolved: ResolvedPlan) {
        self.host = host
        locals = resolved.vmsOfHost[host]
        var linked: [Int: Set<String>] = [:]
        for vm in locals {
            for link in resolved.linksOfVM[vm] {
                linked[resolved.peer(of: vm, link: link), default: []].insert(resolved.plan.vms[vm].name)
            }
        }
        peers = linked.keys.sorted { resolved.plan.vms[$0].name < resolved.plan.vms[$1].name }
            .map { Peer(vm: $0, linkedFrom: linked[$0]!.sorted()) }
    }

    /// `peers.sexp` (advanced form, 100 columns, final newline), built straight into a flat
    /// document; `BackendsTests` checks the bytes against the value-based rendering.
    func text(_ resolved: ResolvedPlan) -> [UInt8] {
        let plan = resolved.plan
        var out = SExprDocument.Builder(capacity: 16 + (locals.count + peers.count) * 24)
        out.open("peers")
        out.field("version", "1")
        out.field("host", plan.hosts[host].name)
        out.field("hit-format", plan.hitVersion.rawValue)
        for vm in locals {
            let value = plan.vms[vm]
            out.open("local")
            out.field("name", value.name)
            out.field("vpxi", value.vpxi)
            out.field("hit", resolved.hits[vm].description)
            out.field("lsi", resolved.lsis[vm].description)
            out.append(value.publicKeySExpr)
            out.close()
        }
        for peer in peers {
            let value = plan.vms[peer.vm]
            out.open("peer")
            out.field("name", value.name)
            out.field("vpxi", value.vpxi)
            out.field("host", value.host)
            out.field("hit", resolved.hits[peer.vm].description)
            out.field("lsi", resolved.lsis[peer.vm].description)
            out.append(value.publicKeySExpr)
            out.open("locators")
            for locator in resolved.locators[resolved.host(of: peer.vm)] { out.atom(locator.description) }
            out.close()
            out.open("linked-from")
            for name in peer.linkedFrom { out.atom(name) }
            out.close()
            out.close()
        }
        out.close()
        return AdvancedPrinter(width: BundleBuilder.width).print(out.build())
    }
}
