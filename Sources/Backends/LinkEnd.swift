/// One end of a link on a host: a local VM, its peer, the outer addresses that carry the
/// traffic, and the pair of SAs (inbound, outbound) of each epoch.
struct LinkEnd: Sendable {
    var localVM: Int
    var peerVM: Int
    var link: Int
    /// The request id that ties the link's policies to its states in `ip xfrm`: one per
    /// link on the host (both ends share it when both VMs are here), the same in every
    /// epoch.
    var reqid: UInt32
    var localLocator: IPAddress
    var peerLocator: IPAddress
    /// For each epoch with an SA: (inbound SA, outbound SA), indices into
    /// `SecurityAssociations.all`.
    var epochs: [(inbound: Int, outbound: Int)]

    /// The link ends of a host, sorted by local VM then peer name, for the links that have
    /// SAs.
    static func of(host: Int, resolved: ResolvedPlan, sas: SecurityAssociations) -> [LinkEnd] {
        var ends: [LinkEnd] = []
        var reqids: [Int: UInt32] = [:]
        for vm in resolved.vmsOfHost[host] {
            for link in resolved.linksOfVM[vm] where !sas.ofLink[link].isEmpty {
                let peer = resolved.peer(of: vm, link: link)
                let peerHost = resolved.host(of: peer)
                // The first locators of one family (checked when the plan was resolved), or the
                // host's first locator twice when both VMs share the host.
                let pair = ResolvedPlan.outerPair(resolved.locators[host], resolved.locators[peerHost])
                    ?? (resolved.locators[host][0], resolved.locators[host][0])
                var epochs: [(Int, Int)] = []
                var inbound: [Int: Int] = [:], outbound: [Int: Int] = [:]
                for index in sas.ofLink[link] {
                    let sa = sas.all[index]
                    if sa.toVM == vm { inbound[sa.epoch.index] = index } else { outbound[sa.epoch.index] = index }
                }
                for epoch in inbound.keys.sorted() {
                    if let out = outbound[epoch] { epochs.append((inbound[epoch]!, out)) }
                }
                let reqid = reqids[link] ?? UInt32(reqids.count + 1)
                reqids[link] = reqid
                ends.append(LinkEnd(localVM: vm, peerVM: peer, link: link, reqid: reqid,
                                    localLocator: pair.0, peerLocator: pair.1, epochs: epochs))
            }
        }
        return ends
    }
}
