import Diagnostics
import PolicyLanguage

extension SemanticAnalyzer {
    /// Registrars and communities, then users and hosts (which refer to them), each in
    /// declaration order.
    mutating func resolvePool(_ declarations: [Declaration]) {
        var keyOwners: [PublicKeyInfo: (String, SourceRange)] = [:]
        let first = declarations.filter {
            switch $0 {
            case .registrar, .community: return true
            default: return false
            }
        }
        let second = declarations.filter {
            switch $0 {
            case .user, .host: return true
            default: return false
            }
        }
        for declaration in first + second {
            switch declaration {
            case .registrar(let decl):
                guard names.lookup(decl.name.text, kind: .registrar)?.range == decl.name.range,
                      let key = loadKey(decl.key, owner: "registrar `\(decl.name.text)`", range: decl.name.range) else { continue }
                checkUnique(key, owner: "registrar `\(decl.name.text)`", range: decl.name.range, seen: &keyOwners)
                if !key.canSign, let reference = decl.key {
                    report(.keyCannotSign, "registrar `\(decl.name.text)` has a key that cannot sign (\(key.algorithm))",
                           at: reference.range, label: "registrars sign certificates",
                           help: "registrars sign the certificates they issue: give an RSA key of at least 2048 bits (`spki keygen`)")
                }
                names.bind(decl.name.text, kind: .registrar, to: model.registrars.count)
                model.registrars.append(.init(name: decl.name.text, key: key, range: decl.name.range))
            case .community(let decl):
                guard names.lookup(decl.name.text, kind: .community)?.range == decl.name.range else { continue }
                names.bind(decl.name.text, kind: .community, to: model.communities.count)
                model.communities.append(.init(name: decl.name.text, range: decl.name.range))
            case .user(let decl):
                guard names.lookup(decl.name.text, kind: .user)?.range == decl.name.range,
                      let key = loadKey(decl.key, owner: "user `\(decl.name.text)`", range: decl.name.range) else { continue }
                checkUnique(key, owner: "user `\(decl.name.text)`", range: decl.name.range, seen: &keyOwners)
                let communities = decl.memberOf.compactMap { resolve($0, as: .community, role: "`member-of` of user `\(decl.name.text)`") }
                names.bind(decl.name.text, kind: .user, to: model.users.count)
                model.users.append(.init(name: decl.name.text, key: key, communities: communities,
                                         clearance: decl.clearance.flatMap { Level(rawValue: $0.text) }, range: decl.name.range))
            case .host(let decl):
                resolveHosts(decl)
            case .include, .vpxi:
                break
            }
        }
    }

    /// The key of a registrar or user, or a diagnostic.
    mutating func loadKey(_ reference: KeyReference?, owner: String, range: SourceRange) -> PublicKeyInfo? {
        guard let reference else { return nil }  // E0045, reported by the parser
        switch keys.load(reference, policyPath: paths[reference.range.file] ?? "") {
        case .success(let key):
            return key
        case .failure(.unreadable(let path, let reason)):
            report(.keyNotReadable, "cannot read the key of \(owner) at `\(path)`: \(reason)", at: reference.text.range,
                   label: "cannot read", help: "key paths are relative to the policy file that names them; generate a key with `spki keygen -o NAME`")
        case .failure(.invalid(let message, let help)):
            report(.invalidKey, "the key of \(owner) is not usable: \(message)", at: reference.text.range, help: help)
        }
        return nil
    }

    mutating func checkUnique(_ key: PublicKeyInfo, owner: String, range: SourceRange, seen: inout [PublicKeyInfo: (String, SourceRange)]) {
        if let (other, otherRange) = seen[key] {
            report(.duplicateKey, "\(owner) has the same public key as \(other)", at: range, label: "same key",
                   notes: [Diagnostic.Note("\(other) is declared here", at: otherRange)],
                   help: "a principal is its key: give each registrar and user a key of their own")
        } else {
            seen[key] = (owner, range)
        }
    }

    /// Expands a host declaration into hosts.
    mutating func resolveHosts(_ decl: HostDecl) {
        let properties = decl.properties
        let count = properties.quantity(.cpus)?.number.integerValue.map { Int(clamping: $0) } ?? 0
        var registration: PolicyModel.Host.Registration?
        if case .registration(let value)? = properties.first(.registeredWith)?.value,
           let registrar = resolve(value.registrar, as: .registrar, role: "registration of host `\(decl.name.base.text)`") {
            registration = .init(registrar: registrar, from: value.from?.secondsSinceEpoch, until: value.until?.secondsSinceEpoch)
            if let from = value.from, let until = value.until, until.secondsSinceEpoch <= from.secondsSinceEpoch {
                report(.emptyWindow, "the registration of host `\(decl.name.base.text)` ends before it starts",
                       at: from.range.union(until.range), label: "`until` is not after `from`",
                       help: "write the earlier date after `from` and the later one after `until`")
            }
        }
        var trustedBy: [Int] = []
        for community in properties.names(.trustedBy) {
            if let index = resolve(community, as: .community, role: "`trusted-by` of host `\(decl.name.base.text)`"),
               !trustedBy.contains(index) { trustedBy.append(index) }
        }
        var hypervisor: Hypervisor?
        if case .name(let word)? = properties.first(.hypervisor)?.value { hypervisor = Hypervisor(rawValue: word.text) }
        var site: String?
        if case .name(let word)? = properties.first(.site)?.value { site = word.text }
        let locators = properties.filter { $0.keyword == .locator }.flatMap { property -> [Locator] in
            if case .locators(let list) = property.value { return Array(list) }
            return []
        }
        let memory = Int64(clamping: UInt64(properties.quantity(.memory)?.baseValue ?? 0))
        let disk = Int64(clamping: UInt64(properties.quantity(.disk)?.baseValue ?? 0))
        let bandwidth = properties.quantity(.bandwidth)?.baseValue
        let cost = properties.quantity(.cost)?.baseValue ?? 0
        for (name, index) in decl.name.expanded() {
            guard names.lookup(name, kind: .host)?.range == decl.name.range else { continue }
            names.bind(name, kind: .host, to: model.hosts.count)
            model.hosts.append(.init(
                name: name, index: index, locators: locators.map { $0.address(forIndex: index ?? 0) },
                cpus: count, memoryBytes: memory, diskBytes: disk, hypervisor: hypervisor, registration: registration,
                trustedBy: trustedBy, site: site, bandwidthBitsPerSecond: bandwidth, costPerHour: cost, range: decl.name.range))
        }
    }
}
