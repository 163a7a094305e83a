import SExpr

/// A chain that authorizes a request: an ACL entry and the certs after it.
public struct Chain: Hashable, Sendable {
    /// The ACL entry it starts from.
    public let aclEntry: Int
    /// The certs (authorization and name certs), in presentation order: each
    /// authorization cert is followed by the certs that lead from its subject onwards.
    public let certs: [Int]
    /// The intersection of every tag on the chain.
    public let tag: Tag
    /// The intersection of every validity on the chain.
    public let validity: Validity

    /// The `(sequence ...)` to present: for each cert, the issuer's key when the cert names
    /// it by hash (once), the cert as received and its signature.
    public func sequence(in bag: CertBag) -> SPKISequence {
        var items: [SPKISequence.Item] = []
        var keysGiven: Set<PrincipalID> = []
        for index in certs {
            let entry = bag.entries[index]
            let issuer = entry.cert.issuer.principal
            if !issuer.isKey, !keysGiven.contains(issuer.id), let key = bag.keys.key(for: issuer) {
                items.append(.publicKey(key.principal))
                keysGiven.insert(issuer.id)
            }
            items.append(.cert(entry.cert))
            if let signature = entry.signature { items.append(.signature(signature)) }
        }
        return SPKISequence(items: items)
    }
}
