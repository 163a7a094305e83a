/// A 5-tuple <I, S, D, A, V> (RFC 2693 §6): issuer, subject, delegation, authorization,
/// validity. Issuer `nil` is the verifier itself (tuples from its ACL). `certs` lists the
/// bag indices of the certs it was reduced from, in chain order (held as a `CertPath`).
public struct AuthTuple: Hashable, Sendable {
    public var issuer: Principal?
    public var subject: Subject
    public var propagate: Bool
    public var tag: Tag
    public var validity: Validity
    /// The certs used, in chain order.
    public var path: CertPath
    /// The certs used, in chain order (indices into the `CertBag`).
    public var certs: [Int] {
        get { path.indices }
        set { path = CertPath(newValue) }
    }
    /// The ACL entry it starts from, if any.
    public var aclEntry: Int?

    public init(issuer: Principal?, subject: Subject, propagate: Bool, tag: Tag, validity: Validity,
                certs: [Int] = [], aclEntry: Int? = nil) {
        self.issuer = issuer
        self.subject = subject
        self.propagate = propagate
        self.tag = tag
        self.validity = validity
        self.path = CertPath(certs)
        self.aclEntry = aclEntry
    }

    /// The tuple of an ACL entry.
    public init(entry: ACL.Entry, index: Int) {
        self.init(issuer: nil, subject: entry.subject, propagate: entry.propagate, tag: entry.tag,
                  validity: entry.validity, aclEntry: index)
    }

    /// The tuple of an authorization cert (relative names in its subject made absolute).
    public init?(cert: Cert, index: Int) {
        guard let tag = cert.tag, case .principal(let issuer) = cert.issuer else { return nil }
        self.init(issuer: issuer, subject: cert.subject.qualified(by: issuer), propagate: cert.propagate,
                  tag: tag, validity: cert.validity, certs: [index])
    }

    /// Why two tuples do not reduce.
    public enum Failure: Error, Hashable, Sendable {
        /// The first tuple's subject is not the second's issuer.
        case subjectMismatch
        /// The first tuple does not allow delegation.
        case delegationNotAllowed
        /// The tags have nothing in common.
        case tagsDisjoint
        /// The validity periods do not overlap.
        case validityDisjoint
    }

    /// 5-tuple reduction: <I1,S1,D1,A1,V1> + <I2,S2,D2,A2,V2> = <I1,S2,D2,A1∩A2,V1∩V2>,
    /// allowed when S1 = I2 and D1, and when the intersections are not empty.
    public func reduced(with next: AuthTuple) -> Result<AuthTuple, Failure> {
        guard let issuer = next.issuer, subject.principal?.id == issuer.id else { return .failure(.subjectMismatch) }
        guard propagate else { return .failure(.delegationNotAllowed) }
        let tag = tag.narrowed(by: next.tag)
        if tag == .none { return .failure(.tagsDisjoint) }
        let validity = validity.intersection(next.validity)
        if validity.isEmpty { return .failure(.validityDisjoint) }
        var result = AuthTuple(issuer: self.issuer, subject: next.subject, propagate: next.propagate, tag: tag,
                               validity: validity, aclEntry: aclEntry)
        result.path = path
        result.path.append(contentsOf: next.path)
        return .success(result)
    }
}

/// A 4-tuple <I, N, S, V> (RFC 2693 §6.4): in I's name space, the name N means S.
public struct NameTuple: Hashable, Sendable {
    public var issuer: Principal
    public var name: [UInt8]
    public var hint: [UInt8]?
    public var subject: Subject
    public var validity: Validity
    public var certs: [Int]

    /// The tuple of a name cert (relative names in its subject made absolute).
    public init?(cert: Cert, index: Int) {
        guard case .name(let issuer, let name) = cert.issuer else { return nil }
        self.issuer = issuer
        self.name = name.bytes
        self.hint = name.hint
        self.subject = cert.subject.qualified(by: issuer)
        self.validity = cert.validity
        self.certs = [index]
    }

    /// Name reduction: `(name K n1 n2 ...)` with <K, n1, S, V> gives S followed by the
    /// remaining names: S itself when there are none, `(name S n2 ...)` when S is a key,
    /// `(name K' m... n2 ...)` when S is the name `(name K' m...)`. `nil` when the tuple
    /// does not define the name's first element.
    public func rewrite(_ name: SDSIName) -> Subject? {
        guard let principal = name.principal, principal.id == issuer.id,
              let first = name.names.first, first.bytes == self.name, first.hint == hint else { return nil }
        let rest = Array(name.names.dropFirst())
        if rest.isEmpty { return subject }
        switch subject {
        case .principal(let key): return .name(SDSIName(principal: key, names: rest))
        case .name(let inner): return .name(SDSIName(principal: inner.principal, names: inner.names + rest))
        default: return nil
        }
    }
}
