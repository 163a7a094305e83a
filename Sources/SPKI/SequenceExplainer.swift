/// Explains why reducing sequences against an ACL left no entry: each sequence is walked
/// in its own order, link by link (link 0 the ACL entry that names the first issuer), and
/// the first link that fails is reported with its reason. Request filters (a tag, a time,
/// a validity, subjects) count as failures of the first link that excludes them.
public enum SequenceExplainer {
    public struct Request: Sendable {
        public var tag: Tag?
        public var time: SPKIDate?
        public var validity: Validity?
        public var subjects: [Subject]

        public init(tag: Tag? = nil, time: SPKIDate? = nil, validity: Validity? = nil, subjects: [Subject] = []) {
            self.tag = tag
            self.time = time
            self.validity = validity
            self.subjects = subjects
        }
    }

    public static func explain(acl: ACL, bag: CertBag, request: Request) -> Refusal {
        guard !acl.entries.isEmpty else { return Refusal(.emptyACL) }
        let names = NameResolver(bag: bag)
        var chains: [Refusal.PartialChain] = []
        var reachedSubjects = 0
        // The certs of all sequences in input order (a chain split over several files or
        // expressions), then each sequence alone.
        var candidates = bag.sequences.count > 1 ? [bag.sequences.flatMap { $0 }] : []
        candidates += bag.sequences
        var seen: Set<[Int]> = []
        for sequence in candidates {
            let certs = sequence.filter { !bag.entries[$0].cert.isNameCert }
            guard seen.insert(certs).inserted else { continue }
            guard let first = certs.first else { continue }
            let issuer = bag.entries[first].cert.issuer.principal
            let entry = acl.entries.firstIndex { leads($0.subject, to: issuer, names) }
            let links = [Refusal.Link.aclEntry(entry ?? 0)] + certs.map { .cert($0) }
            guard let entryIndex = entry else {
                chains.append(.init(links: links, failingLink: 1, reason: .issuerMismatch(
                    expected: "a subject of the ACL (\(acl.entries.map(\.subject.description).joined(separator: ", ")))",
                    found: issuer.description)))
                continue
            }
            if let failure = walk(links, acl.entries[entryIndex], bag: bag, names: names, request: request) {
                chains.append(failure)
            } else {
                reachedSubjects += 1
            }
        }
        if chains.isEmpty {
            // Every sequence reduces: only the subject filter can have removed the entries.
            return Refusal(.noPath(from: acl.entries.map(\.subject), to: request.subjects.first, reachable: reachedSubjects, reaching: 0))
        }
        // Furthest failure first; a wrong issuer (a chain taken out of order) last; longer
        // chains first; one chain per failing link and reason.
        func isMismatch(_ chain: Refusal.PartialChain) -> Int {
            if case .issuerMismatch = chain.reason { return 1 }
            return 0
        }
        chains.sort { ($0.failingLink, -isMismatch($0), $0.links.count) > ($1.failingLink, -isMismatch($1), $1.links.count) }
        var reported: Set<Refusal.Reason> = []
        var failures: Set<Refusal.Link> = []
        chains = chains.filter { chain in
            let link = chain.links[chain.failingLink]
            defer { reported.insert(chain.reason); failures.insert(link) }
            return !(reported.contains(chain.reason) && failures.contains(link))
        }
        return Refusal(.failingChains(Array(chains.prefix(3))))
    }

    static func leads(_ subject: Subject, to principal: Principal, _ names: NameResolver) -> Bool {
        switch subject {
        case .principal(let p): return p.id == principal.id
        case .name: return names.resolve(subject).contains { $0.key.id == principal.id }
        case .threshold(_, let members): return members.contains { leads($0, to: principal, names) }
        default: return false
        }
    }

    static func walk(_ links: [Refusal.Link], _ entry: ACL.Entry, bag: CertBag, names: NameResolver, request: Request) -> Refusal.PartialChain? {
        func fail(_ position: Int, _ reason: Refusal.Reason) -> Refusal.PartialChain {
            .init(links: links, failingLink: position, reason: reason)
        }
        var subject = entry.subject, propagate = entry.propagate, tag = entry.tag, validity = entry.validity
        if let reason = check(tag: entry.tag, validity: entry.validity, request: request) { return fail(0, reason) }
        for (position, link) in links.enumerated().dropFirst() {
            guard case .cert(let index) = link else { continue }
            let item = bag.entries[index]
            if let problem = item.status.problem { return fail(position, .signature(problem: problem)) }
            let cert = item.cert
            guard leads(subject, to: cert.issuer.principal, names) else {
                return fail(position, .issuerMismatch(expected: subject.description, found: cert.issuer.principal.description))
            }
            guard propagate else { return fail(position - 1, .delegationNotAllowed) }
            if !cert.validity.onlineTests.isEmpty { return fail(position, .onlineTestRequired) }
            let certTag = cert.tag ?? .none
            let nextTag = tag.narrowed(by: certTag)
            if nextTag == .none { return fail(position, .tagsDisjoint(tag: certTag, accumulated: tag)) }
            let nextValidity = validity.intersection(cert.validity)
            if nextValidity.isEmpty { return fail(position, .validityDisjoint(link: cert.validity, accumulated: validity)) }
            if let reason = check(tag: nextTag, validity: cert.validity, request: request) {
                if case .tagExcludesRequest(_, let r) = reason { return fail(position, .tagExcludesRequest(tag: certTag, request: r)) }
                return fail(position, reason)
            }
            (subject, propagate, tag, validity) = (cert.subject.qualified(by: cert.issuer.principal), cert.propagate, nextTag, nextValidity)
        }
        return nil
    }

    /// Whether a link's tag and validity meet the request filters.
    static func check(tag: Tag, validity: Validity, request: Request) -> Refusal.Reason? {
        if let time = request.time {
            if let end = validity.notAfter, end < time { return .validityEnded(at: end, requested: time) }
            if let start = validity.notBefore, start > time { return .notYetValid(from: start, requested: time) }
        }
        if let wanted = request.validity, validity.intersection(wanted).isEmpty {
            return .validityDisjoint(link: validity, accumulated: wanted)
        }
        if let wanted = request.tag, tag.intersection(wanted) == .none {
            return .tagExcludesRequest(tag: tag, request: wanted)
        }
        return nil
    }
}
