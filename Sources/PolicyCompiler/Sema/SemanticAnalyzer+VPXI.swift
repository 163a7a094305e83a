import Diagnostics
import PolicyLanguage

extension SemanticAnalyzer {
    /// A vpxi: its properties, machines and links, then its grants and tests.
    mutating func resolveVPXI(_ decl: VPXIDecl) {
        guard names.lookup(decl.name.text, kind: .vpxi)?.range == decl.name.range else { return }
        let what = "vpxi `\(decl.name.text)`"
        let properties = decl.properties
        var ok = true

        var owner: Int?
        if case .name(let name)? = properties.first(.owner)?.value { owner = resolve(name, as: .user, role: "owner of \(what)") }
        if owner == nil { ok = false }

        let registrar = vpxiRegistrar(decl, properties: properties)
        if registrar == nil { ok = false }

        var window: TimeWindow?
        if case .window(let value)? = properties.first(.window)?.value {
            window = checkedWindow(value, what: "the window of \(what)")
        } else {
            report(.missingWindow, "\(what) has no window", at: decl.name.range, label: "no `window`",
                   help: "say when it exists: `window 2026-12-01T08:00Z .. 2026-12-21T20:00Z`; certificates are valid only inside it")
        }
        if window == nil { ok = false }

        var lifetime: (Int64, Int64)?
        if case .lifetime(let value)? = properties.first(.certificates)?.value, let valid = value.valid.seconds {
            let renewal = value.renewEvery?.seconds ?? valid
            if valid < renewal {
                report(.lifetimeShorterThanRenewal,
                       "certificates of \(what) are valid for \(DurationText.format(valid)) but renewed every \(DurationText.format(renewal))",
                       at: value.valid.range.union(value.renewEvery?.range ?? value.valid.range),
                       label: "gaps of \(DurationText.format(renewal - valid)) between renewals",
                       help: "make the lifetime longer than the renewal period, by enough to survive a lost renewal: `certificates valid \(DurationText.format(renewal * 3)) renew every \(DurationText.format(renewal))`")
                ok = false
            } else if valid > 0, renewal > 0 {
                lifetime = (valid, renewal)
            }
        } else if properties.first(.certificates) == nil {
            report(.missingLifetime, "\(what) does not say how long its certificates are valid", at: decl.name.range,
                   label: "no `certificates valid ...`",
                   help: "add `certificates valid 36h renew every 12h`: certificates are short-lived and renewed before they expire")
            ok = false
        }

        var requirements = PolicyModel.Requirements()
        for property in properties where property.keyword == .require {
            if case .requirement(let value) = property.value { requirements = requirements.merged(with: resolveRequirement(value, what: what)) }
        }
        var confidentiality: Level?
        if case .name(let word)? = properties.first(.confidentiality)?.value { confidentiality = Level(rawValue: word.text) }
        let maxCost = properties.quantity(.maxCost)?.baseValue

        var vpxi = PolicyModel.VPXI(
            name: decl.name.text, owner: owner ?? 0, registrar: registrar ?? 0,
            window: window ?? TimeWindow(start: 0, end: 0), lifetime: lifetime?.0 ?? 1, renewal: lifetime?.1 ?? 1,
            requirements: requirements, confidentiality: confidentiality, maxCostPerHour: maxCost,
            maxCostRange: properties.first(.maxCost)?.range,
            machines: [], links: [], grants: [], expectations: [], range: decl.range, nameRange: decl.name.range)
        var scope = MachineScope()
        resolveMachines(decl, into: &vpxi, scope: &scope)
        resolveLinks(decl, into: &vpxi, scope: scope)
        resolveGrants(decl, into: &vpxi, scope: scope)
        resolveExpectations(decl, into: &vpxi, scope: scope)
        checkDelegations(&vpxi)
        guard ok else { return }
        names.bind(decl.name.text, kind: .vpxi, to: model.vpxis.count)
        model.vpxis.append(vpxi)
    }

    /// The registrar that builds the vpxi: the one it names, or the only one declared.
    mutating func vpxiRegistrar(_ decl: VPXIDecl, properties: [Property]) -> Int? {
        if case .name(let name)? = properties.first(.registrar)?.value {
            return resolve(name, as: .registrar, role: "registrar of vpxi `\(decl.name.text)`")
        }
        if model.registrars.count == 1 { return 0 }
        let declared = names.names(of: .registrar)
        report(.missingRegistrar, "vpxi `\(decl.name.text)` does not say which registrar builds it", at: decl.name.range,
               label: declared.isEmpty ? "no registrar is declared" : "\(declared.count) registrars are declared",
               help: declared.isEmpty ? "declare a registrar: `registrar lyon key \"keys/lyon.pub\"`"
                   : "add `registrar NAME` to its body, one of \(Self.list(declared))")
        return nil
    }

    /// A window, or a diagnostic when it ends before it starts.
    mutating func checkedWindow(_ window: Window, what: String) -> TimeWindow? {
        let value = TimeWindow(start: window.start.secondsSinceEpoch, end: window.end.secondsSinceEpoch)
        guard value.isEmpty else { return value }
        report(.emptyWindow, "\(what) ends before it starts", at: window.range,
               label: value.end == value.start ? "it starts and ends at the same time" : "the end is \(DurationText.format(value.start - value.end)) before the start",
               help: "write the earlier date first: `START .. END`")
        return nil
    }

    mutating func resolveRequirement(_ requirement: Requirement, what: String) -> PolicyModel.Requirements {
        var result = PolicyModel.Requirements()
        switch requirement.kind {
        case .trustedBy:
            result.trustedBy = requirement.values.compactMap { resolve($0, as: .community, role: "requirement of \(what)") }
        case .hypervisor:
            result.hypervisors = Set(requirement.values.compactMap { Hypervisor(rawValue: $0.text) })
        case .site:
            for site in requirement.values where resolve(site, as: .site, role: "requirement of \(what)") != nil {
                result.sites.insert(site.text)
            }
        }
        return result
    }

    /// Nodes and clusters, expanded into machines.
    mutating func resolveMachines(_ decl: VPXIDecl, into vpxi: inout PolicyModel.VPXI, scope: inout MachineScope) {
        for member in decl.members {
            let name: Identifier, properties: SlabList<Property>, size: Int?, range: SourceRange
            switch member {
            case .node(let node): (name, properties, size, range) = (node.name, node.properties, nil, node.range)
            case .cluster(let cluster): (name, properties, size, range) = (cluster.name, cluster.properties, cluster.size, cluster.range)
            default: continue
            }
            if let earlier = scope[name.text] {
                report(.duplicateName, "node or cluster `\(name.text)` is declared twice in vpxi `\(decl.name.text)`", at: name.range,
                       label: "declared again here", notes: [Diagnostic.Note("first declared here", at: earlier.range)],
                       help: "rename one of them")
                continue
            }
            var requirements = vpxi.requirements
            let what = "\(size == nil ? "node" : "cluster") `\(name.text)`"
            for property in properties {
                switch (property.keyword, property.value) {
                case (.require, .requirement(let value)):
                    requirements = requirements.merged(with: resolveRequirement(value, what: what))
                case (.hypervisor, .name(let word)):
                    if let hypervisor = Hypervisor(rawValue: word.text) {
                        requirements = requirements.merged(with: .init(hypervisors: [hypervisor]))
                    }
                case (.site, .name(let word)):
                    if resolve(word, as: .site, role: "site of \(what)") != nil {
                        requirements = requirements.merged(with: .init(sites: [word.text]))
                    }
                default:
                    break
                }
            }
            var function: MachineFunction?
            if case .name(let word)? = properties.first(.function)?.value { function = MachineFunction(rawValue: word.text) }
            var image: String?
            if case .text(let text)? = properties.first(.image)?.value { image = text.value }
            let cpus = properties.quantity(.cpus)?.number.integerValue.map { Int(clamping: $0) } ?? PolicyModel.Machine.defaultCPUs
            let memory = properties.quantity(.memory).map { Int64(clamping: UInt64($0.baseValue)) } ?? PolicyModel.Machine.defaultMemoryBytes
            let disk = properties.quantity(.disk).map { Int64(clamping: UInt64($0.baseValue)) } ?? 0
            let first = vpxi.machines.count
            let indices: [Int?] = size.map { Array(1...max(1, $0)) } ?? [nil]
            for index in indices {
                vpxi.machines.append(.init(
                    name: index.map { "\(name.text)[\($0)]" } ?? name.text, group: name.text, index: index, function: function,
                    cpus: cpus, memoryBytes: memory, diskBytes: disk, image: image, requirements: requirements, range: range))
            }
            scope.add(name.text, .init(machines: first..<vpxi.machines.count, isCluster: size != nil, range: name.range))
        }
    }

    /// The machines an endpoint names, or a diagnostic (E0103, E0104).
    mutating func machines(of endpoint: Endpoint, in scope: MachineScope, vpxi: String, role: String) -> [Int]? {
        guard let group = scope[endpoint.name.text] else {
            var help = scope.order.isEmpty ? "declare it with `node \(endpoint.name.text)` in the vpxi" : "declare it in the vpxi, or use one of \(Self.list(scope.order))"
            var fixIts: [Diagnostic.FixIt] = []
            if let suggestion = SpellingSuggestion.closest(to: endpoint.name.text, in: scope.order), let found = scope[suggestion] {
                help = "did you mean `\(suggestion)`? (declared at \(position(found.range)))"
                fixIts = [.replace(endpoint.name.range, with: suggestion, "replace `\(endpoint.name.text)` with `\(suggestion)`")]
            }
            report(.unknownNode, "\(role) names `\(endpoint.name.text)`, which is not a node or cluster of vpxi `\(vpxi)`",
                   at: endpoint.name.range, label: "not declared", help: help, fixIts: fixIts)
            return nil
        }
        guard let index = endpoint.index else { return Array(group.machines) }
        guard group.isCluster else {
            report(.indexOutOfRange, "`\(endpoint.name.text)` is a node, not a cluster: it has no members to index", at: index.range,
                   label: "no index on a node", help: "write `\(endpoint.name.text)` without the index",
                   fixIts: [.replace(index.range, with: "", "remove the index")])
            return nil
        }
        let size = group.machines.count
        guard index.lower >= 1, index.upper <= size else {
            report(.indexOutOfRange, "cluster `\(endpoint.name.text)` has members 1 to \(size); `\(Self.text(of: index))` is outside",
                   at: index.range, label: "outside 1..\(size)",
                   notes: [Diagnostic.Note("the cluster is declared here", at: group.range)],
                   help: "members are numbered from 1: `\(endpoint.name.text)[1]` to `\(endpoint.name.text)[\(size)]`")
            return nil
        }
        return (index.lower...index.upper).map { group.machines.lowerBound + $0 - 1 }
    }

    /// Links, expanded into pairs of machines (a machine is never linked to itself; a
    /// pair joined both ways once is joined once).
    mutating func resolveLinks(_ decl: VPXIDecl, into vpxi: inout PolicyModel.VPXI, scope: MachineScope) {
        var seen = Set<[Int]>()
        for link in decl.links {
            let from = machines(of: link.from, in: scope, vpxi: decl.name.text, role: "a link")
            let to = machines(of: link.to, in: scope, vpxi: decl.name.text, role: "a link")
            guard let from, let to else { continue }
            guard from.contains(where: { a in to.contains { $0 != a } }) else {
                let end = link.from.range.union(link.to.range)
                report(.selfLink, "this link joins `\(text(of: link.from))` to itself: a machine is never linked to itself, so it links nothing",
                       at: end, label: "the same machine at both ends",
                       help: link.from.index == nil
                           ? "name two different machines (`link a <-> b`)"
                           : "name two different machines (`link a <-> b`), or the cluster to itself for every pair of its members (`link \(link.from.name.text) <-> \(link.from.name.text)`)")
                continue
            }
            var bandwidth: Double?, latency: Double?, protection: Protection?
            for property in link.properties {
                switch (property.keyword, property.value) {
                case (.bandwidth, .bound(let bound)): bandwidth = bound.quantity.baseValue
                case (.latency, .bound(let bound)): latency = bound.quantity.baseValue
                case (.protect, .name(let word)): protection = Protection(rawValue: word.text)
                default: break
                }
            }
            let both = link.direction == .both
            for a in from {
                for b in to where a != b {
                    let key = both ? [min(a, b), max(a, b), 1] : [a, b, 0]
                    guard seen.insert(key).inserted else { continue }
                    vpxi.links.append(.init(from: a, to: b, bidirectional: both, bandwidthBitsPerSecond: bandwidth,
                                            latencyMilliseconds: latency, protection: protection, range: link.range))
                }
            }
        }
    }

    /// An endpoint as written: `name` or `name[i]` or `name[i..j]`.
    func text(of endpoint: Endpoint) -> String {
        guard let index = endpoint.index else { return endpoint.name.text }
        return "\(endpoint.name.text)[\(Self.text(of: index))]"
    }

    /// An index as written: `i` or `i..j`.
    static func text(of index: IndexRange) -> String {
        index.isRange ? "\(index.lower)..\(index.upper)" : String(index.lower)
    }
}
