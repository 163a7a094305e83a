import SExpr

/// What the names of a cert bag mean: for each local name (K, n), the keys it reaches
/// through name certs, with the validity of the way there and the name certs used.
///
/// Computed as a least fixpoint over the name certs (the name-reduction closure of Clarke
/// et al., restricted to what names resolve to keys): each pass applies every name cert
/// to what is known so far, until nothing changes. Cycles stop because a fact already
/// known (or one with a narrower validity) is not added again; at most `limit` facts are
/// kept per local name, which bounds the work polynomially.
public struct NameResolver: Sendable {
    /// A key a name reaches.
    public struct Fact: Hashable, Sendable {
        public let key: Principal
        public let validity: Validity
        /// The name certs used, in order.
        public let certs: [Int]
    }

    struct LocalName: Hashable {
        let issuer: PrincipalID
        let name: SExpr.Atom
    }

    private(set) var facts: [LocalName: [Fact]] = [:]
    let limit: Int

    /// Resolves the names of `bag` using the usable name certs; with `time`, only those
    /// valid then.
    public init(bag: CertBag, at time: SPKIDate? = nil, limit: Int = 64) {
        self.init(bag: bag, candidates: Array(bag.entries.indices), at: time, limit: limit)
    }

    /// Resolves names using only the certs at `candidates` (the bag's name certs, found
    /// once by the caller).
    init(bag: CertBag, candidates: [Int], at time: SPKIDate? = nil, limit: Int = 64) {
        self.limit = limit
        var nameCerts: [(LocalName, NameTuple)] = []
        for index in candidates {
            // Only name certs define names: the others are skipped without copying their entry.
            guard bag.entries[index].cert.isNameCert else { continue }
            let entry = bag.entries[index]
            guard entry.status.isUsable && entry.cert.validity.onlineTests.isEmpty else { continue }
            guard let tuple = NameTuple(cert: entry.cert, index: index) else { continue }
            if let time, !tuple.validity.contains(time) { continue }
            nameCerts.append((LocalName(issuer: tuple.issuer.id, name: SExpr.Atom(tuple.name, hint: tuple.hint)), tuple))
        }
        guard !nameCerts.isEmpty else { return }
        var changed = true
        while changed {
            changed = false
            for (local, tuple) in nameCerts {
                for fact in resolve(tuple.subject, validity: tuple.validity, certs: tuple.certs) {
                    if insert(fact, for: local) { changed = true }
                }
            }
        }
    }

    private mutating func insert(_ fact: Fact, for local: LocalName) -> Bool {
        var list = facts[local] ?? []
        guard list.count < limit else { return false }
        if list.contains(where: { $0.key.id == fact.key.id && $0.validity.includes(fact.validity) }) { return false }
        list.append(fact)
        facts[local] = list
        return true
    }

    /// The keys `subject` reaches: itself for a key, the resolution of a name; nothing for
    /// other subjects.
    public func resolve(_ subject: Subject, validity: Validity = .always, certs: [Int] = []) -> [Fact] {
        switch subject {
        case .principal(let key):
            return [Fact(key: key, validity: validity, certs: certs)]
        case .name(let name):
            guard let principal = name.principal, let first = name.names.first else { return [] }
            var out: [Fact] = []
            for fact in facts[LocalName(issuer: principal.id, name: first)] ?? [] {
                let v = validity.intersection(fact.validity)
                if v.isEmpty { continue }
                if name.names.count == 1 {
                    out.append(Fact(key: fact.key, validity: v, certs: certs + fact.certs))
                } else {
                    let rest = Subject.name(SDSIName(principal: fact.key, names: Array(name.names.dropFirst())))
                    out += resolve(rest, validity: v, certs: certs + fact.certs)
                }
                if out.count >= limit { break }
            }
            return out
        default:
            return []
        }
    }
}
