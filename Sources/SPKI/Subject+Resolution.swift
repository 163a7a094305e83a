extension Subject {
    /// The subject with legacy-hash principals resolved through `store`.
    public func resolved(in store: KeyStore) -> Subject {
        switch self {
        case .principal(let p): return .principal(p.resolved(in: store))
        case .name(let name):
            return .name(SDSIName(principal: name.principal?.resolved(in: store), names: name.names))
        case .threshold(let k, let members): return .threshold(k: k, members.map { $0.resolved(in: store) })
        case .keyholder, .objectHash: return self
        }
    }

    /// Every principal written in the subject (keys to remember).
    var principals: [Principal] {
        switch self {
        case .principal(let p): return [p]
        case .name(let name): return name.principal.map { [$0] } ?? []
        case .threshold(_, let members): return members.flatMap(\.principals)
        case .keyholder, .objectHash: return []
        }
    }
}

extension Cert {
    /// The cert with its principals resolved through `store` (the source is kept).
    public func resolved(in store: KeyStore) -> Cert {
        // The common case: a key (or SHA-256 hash) grants to a key; nothing to resolve.
        if issuer.principal.id.isResolved, case .principal(let subject) = subject, subject.id.isResolved { return self }
        var copy = self
        switch issuer {
        case .principal(let p): copy.issuer = .principal(p.resolved(in: store))
        case .name(let p, let n): copy.issuer = .name(p.resolved(in: store), n)
        }
        copy.subject = subject.resolved(in: store)
        return copy
    }
}
