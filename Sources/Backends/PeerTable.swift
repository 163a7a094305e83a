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

    /// `peers.sexp`.
    func sexp(_ resolved: ResolvedPlan) -> SExpr {
        let plan = resolved.plan
        var items: [SExpr] = [
            "peers",
            ["version", "1"],
            ["host", .string(plan.hosts[host].name)],
            ["hit-format", .string(plan.hitVersion.rawValue)],
        ]
        for vm in locals {
            let value = plan.vms[vm]
            items.append([
                "local",
                ["name", .string(value.name)],
                ["vpxi", .string(value.vpxi)],
                ["hit", .string(resolved.hits[vm].description)],
                ["lsi", .string(resolved.lsis[vm].description)],
                value.publicKeySExpr,
            ])
        }
        for peer in peers {
            let value = plan.vms[peer.vm]
            let peerHost = resolved.host(of: peer.vm)
            items.append([
                "peer",
                ["name", .string(value.name)],
                ["vpxi", .string(value.vpxi)],
                ["host", .string(value.host)],
                ["hit", .string(resolved.hits[peer.vm].description)],
                ["lsi", .string(resolved.lsis[peer.vm].description)],
                value.publicKeySExpr,
                .list(["locators"] + resolved.locators[peerHost].map { .string($0.description) }),
                .list(["linked-from"] + peer.linkedFrom.map { .string($0) }),
            ])
        }
        return .list(items)
    }
}
