/// Explains why no chain authorizes a request.
///
/// Looks at the certs as a plain graph, ignoring tags, times, delegation and signatures:
/// if no path leads from the ACL to the requester, says so with how far each side gets;
/// otherwise takes the shortest paths (one from each ACL entry, and one ending with each
/// cert issued to the requester), checks each link in order, and reports the first link
/// that fails on each, the chains that get furthest first.
struct ChainExplainer {
    let finder: ChainFinder
    let requester: Principal
    let request: Tag
    let time: SPKIDate
    let names: NameResolver
    /// The most partial chains reported.
    static let reported = 3
    /// The most candidate paths examined.
    static let candidates = 32

    init(finder: ChainFinder, requester: Principal, request: Tag, time: SPKIDate) {
        self.finder = finder
        self.requester = requester
        self.request = request
        self.time = time
        names = NameResolver(bag: finder.bag, candidates: finder.nameCerts)
    }

    var bag: CertBag { finder.bag }

    /// The keys a subject leads to, as a graph: keys, resolved names, threshold members.
    func keys(_ subject: Subject) -> [PrincipalID] {
        var out: [PrincipalID] = []
        ChainFinder.visit(subject) { member in
            switch member {
            case .principal(let p): out.append(p.id)
            case .name: out += names.resolve(member).map(\.key.id)
            default: break
            }
        }
        return out
    }

    func subject(of index: Int) -> Subject {
        let cert = bag.entries[index].cert
        return cert.subject.qualified(by: cert.issuer.principal)
    }

    func explain() -> Refusal {
        // Backwards from the requester: hops to it and the cert taking each principal there.
        var toward: [PrincipalID: (cert: Int, next: PrincipalID)] = [:]
        var reaching: Set<PrincipalID> = [requester.id]
        var bySubject: [PrincipalID: [Int]] = finder.bySubject
        for index in finder.withNames {
            for key in keys(subject(of: index)) { bySubject[key, default: []].append(index) }
        }
        var queue = [requester.id]
        var head = 0
        while head < queue.count {
            let reached = queue[head]
            head += 1
            for index in bySubject[reached] ?? [] {
                let issuer = bag.entries[index].cert.issuer.principal.id
                guard !reaching.contains(issuer) else { continue }
                reaching.insert(issuer)
                toward[issuer] = (index, reached)
                queue.append(issuer)
            }
        }
        // Forwards from the ACL: the way each principal is reached.
        var from: [PrincipalID: (entry: Int, cert: Int?, previous: PrincipalID?)] = [:]
        queue = []
        for (index, entry) in finder.acl.entries.enumerated() {
            for key in keys(entry.subject) where from[key] == nil {
                from[key] = (index, nil, nil)
                queue.append(key)
            }
        }
        head = 0
        while head < queue.count {
            let reached = queue[head]
            head += 1
            for index in bag.certs(issuedBy: reached) {
                for key in keys(subject(of: index)) where from[key] == nil {
                    from[key] = (from[reached]!.entry, index, reached)
                    queue.append(key)
                }
            }
        }

        var paths: [[Refusal.Link]] = []
        func backwardPath(from key: PrincipalID) -> [Refusal.Link] {
            var links: [Refusal.Link] = []
            var current = key
            while current != requester.id, let step = toward[current] {
                links.append(.cert(step.cert))
                current = step.next
            }
            return links
        }
        func forwardPath(to key: PrincipalID) -> [Refusal.Link] {
            var links: [Refusal.Link] = []
            var current = key
            while let step = from[current], let cert = step.cert, let previous = step.previous {
                links.insert(.cert(cert), at: 0)
                current = previous
            }
            return [.aclEntry(from[key]!.entry)] + links
        }
        // One shortest path from each ACL entry...
        for (index, entry) in finder.acl.entries.enumerated() where paths.count < Self.candidates {
            if let key = keys(entry.subject).first(where: { reaching.contains($0) }) {
                paths.append([.aclEntry(index)] + backwardPath(from: key))
            }
        }
        // ...and one ending with each cert issued to the requester.
        for index in bySubject[requester.id] ?? [] where paths.count < Self.candidates {
            let issuer = bag.entries[index].cert.issuer.principal.id
            if from[issuer] != nil { paths.append(forwardPath(to: issuer) + [.cert(index)]) }
        }
        guard !paths.isEmpty else {
            return Refusal(.noPath(from: finder.acl.entries.map(\.subject), to: .principal(requester),
                                   reachable: from.count, reaching: reaching.count - 1))
        }
        var seen: Set<[Refusal.Link]> = []
        var chains: [Refusal.PartialChain] = []
        for path in paths where seen.insert(path).inserted {
            if let failure = evaluate(path) { chains.append(failure) }
        }
        chains.sort { ($0.failingLink, -$0.links.count) > ($1.failingLink, -$1.links.count) }
        return Refusal(.failingChains(Array(chains.prefix(Self.reported))))
    }

    /// The first failing link of a path, if any.
    func evaluate(_ links: [Refusal.Link]) -> Refusal.PartialChain? {
        for (position, link) in links.enumerated() {
            let isLast = position == links.count - 1
            let propagate: Bool, tag: Tag, validity: Validity, subject: Subject
            switch link {
            case .aclEntry(let index):
                let entry = finder.acl.entries[index]
                (propagate, tag, validity, subject) = (entry.propagate, entry.tag, entry.validity, entry.subject)
            case .cert(let index):
                let entry = bag.entries[index]
                if let problem = entry.status.problem {
                    return .init(links: links, failingLink: position, reason: .signature(problem: problem))
                }
                (propagate, tag, validity, subject) = (entry.cert.propagate, entry.cert.tag ?? .none, entry.cert.validity, self.subject(of: index))
            }
            if !validity.onlineTests.isEmpty {
                return .init(links: links, failingLink: position, reason: .onlineTestRequired)
            }
            if let end = validity.notAfter, end < time {
                return .init(links: links, failingLink: position, reason: .validityEnded(at: end, requested: time))
            }
            if let start = validity.notBefore, start > time {
                return .init(links: links, failingLink: position, reason: .notYetValid(from: start, requested: time))
            }
            if !tag.includes(request) {
                return .init(links: links, failingLink: position, reason: .tagExcludesRequest(tag: tag, request: request))
            }
            if !isLast && !propagate {
                return .init(links: links, failingLink: position, reason: .delegationNotAllowed)
            }
            if case .threshold(let k, let members) = subject, k > 1 {
                let met = members.filter { !keys($0).isEmpty }.count
                if met < k { return .init(links: links, failingLink: position, reason: .thresholdNotMet(k: k, met: met)) }
            }
        }
        return nil
    }
}
