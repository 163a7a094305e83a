/// Reduces a bag of certs against ACL tuples: every tuple derivable by 5-tuple reduction,
/// name reduction and thresholds (RFC 2693 §6), in breadth-first order.
///
/// - A tuple whose subject is a key that may delegate reduces with every usable cert that
///   key issued (signature checked, no online test).
/// - A tuple whose subject is a name is rewritten to the keys the name reaches (the
///   validity of the name certs is intersected).
/// - A tuple whose subject is `(k-of-n K N S1...SN)` is reduced from each Si separately;
///   every subject X reached from at least K of them gets a tuple whose tag and validity
///   are the intersections of those branches (all of the branches that reach X).
///
/// Terminates on cycles: a tuple already derived, or one dominated by a tuple already
/// derived for the same subject (delegation, tag and validity at least as wide), is not
/// derived again, and tags and validities only narrow along a chain.
public struct Reducer: Sendable {
    public let bag: CertBag
    public let names: NameResolver
    /// A bound on the number of tuples derived (a safety net against adversarial bags).
    public var limit = 1_000_000

    public init(bag: CertBag) {
        self.bag = bag
        self.names = NameResolver(bag: bag)
    }

    /// 5-tuple reduction of `tuple` with the cert at `index` when the cert is usable
    /// (signature checked, no online test): `tuple.reduced(with: AuthTuple(cert:index:))`
    /// without building the cert's own tuple (its path node, its copies), the step
    /// repeated for every link of a chain.
    func reduced(_ tuple: AuthTuple, withCert index: Int) -> AuthTuple? {
        guard tuple.propagate, bag.entries[index].status.isUsable else { return nil }
        // The cert's fields read in place (no copy of the whole cert per link).
        guard bag.entries[index].cert.validity.onlineTests.isEmpty, let certTag = bag.entries[index].cert.tag,
              case .principal(let issuer) = bag.entries[index].cert.issuer, tuple.subject.principal?.id == issuer.id else { return nil }
        let tag = tuple.tag.narrowed(by: certTag)
        if tag == .none { return nil }
        let validity = tuple.validity.intersection(bag.entries[index].cert.validity)
        if validity.isEmpty { return nil }
        // <I1, S2, D2, A1∩A2, V1∩V2>, the ACL entry and the path kept, the cert appended.
        var result = tuple
        result.subject = bag.entries[index].cert.subject.qualified(by: issuer)
        result.propagate = bag.entries[index].cert.propagate
        result.tag = tag
        result.validity = validity
        result.path.append(index)
        return result
    }

    /// Every tuple derivable from `start` (which it includes), in derivation order.
    public func closure(from start: [AuthTuple]) -> [AuthTuple] {
        var out: [AuthTuple] = []
        var bySubject: [Subject: [Int]] = [:]
        var queue = start
        var head = 0
        while head < queue.count, out.count < limit {
            let tuple = queue[head]
            head += 1
            if tuple.tag == .none || tuple.validity.isEmpty { continue }
            // One look-up of the subject: the tuples known for it, then this one.
            if let slot = bySubject.index(forKey: tuple.subject) {
                if bySubject.values[slot].contains(where: { out[$0].dominates(tuple) }) { continue }
                bySubject.values[slot].append(out.count)
            } else {
                bySubject[tuple.subject] = [out.count]
            }
            out.append(tuple)

            switch tuple.subject {
            case .name:
                for fact in names.resolve(tuple.subject, validity: tuple.validity) {
                    var next = tuple
                    next.subject = .principal(fact.key)
                    next.validity = fact.validity
                    for cert in fact.certs { next.path.append(cert) }
                    queue.append(next)
                }
            case .threshold(let k, let members):
                queue += thresholdTuples(tuple, k: k, members: members)
            case .principal(let key):
                guard tuple.propagate else { continue }
                for index in bag.certs(issuedBy: key.id) {
                    if let next = reduced(tuple, withCert: index) { queue.append(next) }
                }
            case .keyholder, .objectHash:
                continue
            }
        }
        return out
    }

    /// Reduces each member of a threshold separately and joins the branches that reach
    /// the same key.
    private func thresholdTuples(_ tuple: AuthTuple, k: Int, members: [Subject]) -> [AuthTuple] {
        var reached: [PrincipalID: [Int: AuthTuple]] = [:]
        var order: [PrincipalID] = []
        for (i, member) in members.enumerated() {
            var branch = tuple
            branch.subject = member
            for derived in closure(from: [branch]) {
                guard case .principal(let key) = derived.subject else { continue }
                if reached[key.id] == nil { order.append(key.id) }
                if reached[key.id]?[i] == nil { reached[key.id, default: [:]][i] = derived }
            }
        }
        var out: [AuthTuple] = []
        for id in order {
            guard let branches = reached[id], branches.count >= k else { continue }
            let chosen = branches.keys.sorted().map { branches[$0]! }
            var joined = chosen[0]
            for other in chosen.dropFirst() {
                joined.tag = joined.tag.narrowed(by: other.tag)
                joined.validity = joined.validity.intersection(other.validity)
                joined.propagate = joined.propagate && other.propagate
                joined.path.append(contentsOf: other.path, skippingDuplicates: true)
            }
            out.append(joined)
        }
        return out
    }
}

extension AuthTuple {
    /// Whether this tuple grants at least what `other` grants to the same subject.
    func dominates(_ other: AuthTuple) -> Bool {
        (propagate || !other.propagate) && tag.includes(other.tag) && validity.includes(other.validity)
    }
}
