/// Draws a placed policy as a Graphviz DOT digraph with two parts:
///
/// - the topology: each host a box (cluster) holding the machines placed on it, and the
///   links between machines, labelled with their bandwidth, latency and protection
///   (`<->` links drawn both ways);
/// - the delegation graph: who grants whom, and for how long: hosts' registrars to the
///   vpxi's registrar (how many machines), the registrar to each user and each user to
///   those they delegate to (`via`), labelled with the rights, the certificate lifetime
///   and renewal, and the window.
///
/// The output is deterministic: everything in declaration order.
public struct GraphRenderer {
    let model: PolicyModel
    let placement: Placement

    public init(model: PolicyModel, placement: Placement) {
        self.model = model
        self.placement = placement
    }

    /// A DOT identifier or label, quoted.
    static func quote(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }

    public func render() -> String {
        var lines = ["digraph spkic {", "  graph [rankdir=LR, fontname=\"Helvetica\", compound=true];",
                     "  node [fontname=\"Helvetica\", fontsize=10];", "  edge [fontname=\"Helvetica\", fontsize=9];"]
        lines += topology()
        lines += delegations()
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    func machineID(_ v: Int, _ m: Int) -> String { Self.quote("\(model.vpxis[v].name)/\(model.vpxis[v].machines[m].name)") }

    func topology() -> [String] {
        var lines = ["  subgraph cluster_topology {", "    label=\"topology: machines on their hosts\";", "    style=dashed;"]
        var byHost: [Int: [(Int, Int)]] = [:]
        var unplaced: [(Int, Int)] = []
        for (v, hosts) in placement.hosts.enumerated() {
            for (m, host) in hosts.enumerated() {
                if host == Placement.unplaced { unplaced.append((v, m)) } else { byHost[host, default: []].append((v, m)) }
            }
        }
        for host in byHost.keys.sorted() {
            let info = model.hosts[host]
            var label = info.name
            if let hypervisor = info.hypervisor { label += " (\(hypervisor.rawValue))" }
            if let site = info.site { label += "\nsite \(site)" }
            lines.append("    subgraph cluster_host_\(host) {")
            lines.append("      label=\(Self.quote(label)); style=rounded; color=gray40;")
            for (v, m) in byHost[host]! {
                let machine = model.vpxis[v].machines[m]
                var text = "\(machine.name)\n\(model.vpxis[v].name)"
                if let function = machine.function { text += "\n\(function.rawValue)" }
                lines.append("      \(machineID(v, m)) [shape=box, label=\(Self.quote(text))];")
            }
            lines.append("    }")
        }
        for (v, m) in unplaced {
            lines.append("    \(machineID(v, m)) [shape=box, style=dashed, color=red, label=\(Self.quote(model.vpxis[v].machines[m].name + "\n(not placed)"))];")
        }
        for (v, vpxi) in model.vpxis.enumerated() {
            for link in vpxi.links {
                var attributes: [String] = []
                if let bandwidth = link.bandwidthBitsPerSecond { attributes.append(">= \(Units.rate(bandwidth))") }
                if let latency = link.latencyMilliseconds { attributes.append("<= \(Units.number(latency)) ms") }
                if let protection = link.protection { attributes.append(protection.rawValue) }
                var style = "label=\(Self.quote(attributes.joined(separator: "\n")))"
                if link.bidirectional { style += ", dir=both" }
                if link.protection == nil || link.protection == Protection.none { style += ", style=dashed" }
                lines.append("    \(machineID(v, link.from)) -> \(machineID(v, link.to)) [\(style)];")
            }
        }
        lines.append("  }")
        return lines
    }

    func delegations() -> [String] {
        var lines = ["  subgraph cluster_delegation {", "    label=\"delegation: who grants whom, and for how long\";", "    style=dashed;"]
        for (r, registrar) in model.registrars.enumerated() {
            lines.append("    \(Self.quote("registrar:\(registrar.name)")) [shape=hexagon, label=\(Self.quote("registrar \(registrar.name)"))];")
            _ = r
        }
        for user in model.users {
            lines.append("    \(Self.quote("user:\(user.name)")) [shape=ellipse, label=\(Self.quote(user.name))];")
        }
        for (v, vpxi) in model.vpxis.enumerated() {
            let hv = "registrar:\(model.registrars[vpxi.registrar].name)"
            let lifetime = "certs \(DurationText.format(vpxi.lifetime)), renewed every \(DurationText.format(vpxi.renewal))"
            // Machines to the registrars their hosts are registered with, and those to the vpxi's.
            var perRegistrar: [Int: Int] = [:]
            for host in placement.hosts[v] where host != Placement.unplaced {
                if let registrar = model.hosts[host].registration?.registrar { perRegistrar[registrar, default: 0] += 1 }
            }
            let vpxiNode = Self.quote("vpxi:\(vpxi.name)")
            lines.append("    \(vpxiNode) [shape=box3d, label=\(Self.quote("vpxi \(vpxi.name)\n\(vpxi.machines.count) machines\n\(vpxi.window)"))];")
            for (registrar, count) in perRegistrar.sorted(by: { $0.key < $1.key }) {
                let h2 = "registrar:\(model.registrars[registrar].name)"
                lines.append("    \(vpxiNode) -> \(Self.quote(h2)) [label=\(Self.quote("\(count) machine\(count == 1 ? "" : "s"), propagate\n\(lifetime)"))];")
                if registrar != vpxi.registrar {
                    lines.append("    \(Self.quote(h2)) -> \(Self.quote(hv)) [label=\(Self.quote("\(vpxi.name): \(count) machine\(count == 1 ? "" : "s"), propagate"))];")
                }
            }
            let delegators = Set(vpxi.grants.compactMap(\.via))
            for grant in vpxi.grants {
                let from = grant.via.map { "user:\(model.users[$0].name)" } ?? hv
                let to = "user:\(model.users[grant.user].name)"
                let targets = grant.targets.count == vpxi.machines.count ? "all" : "\(grant.targets.count) machine\(grant.targets.count == 1 ? "" : "s")"
                var label = "\(vpxi.name): \(grant.rights.map(\.description).joined(separator: ", ")) on \(targets)"
                if delegators.contains(grant.user) { label += ", propagate" }
                label += "\n\(grant.window)\n\(lifetime)"
                lines.append("    \(Self.quote(from)) -> \(Self.quote(to)) [label=\(Self.quote(label))\(grant.via == nil ? "" : ", style=bold")];")
            }
        }
        lines.append("  }")
        return lines
    }
}
