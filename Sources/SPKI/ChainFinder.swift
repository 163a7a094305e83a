/// Finds a chain of certs that authorizes a request, or explains why there is none.
///
/// The request is: this principal, this tag, at this time. A chain authorizes it when
/// every link (the ACL entry and each cert) includes the tag, is valid at the time and is
/// correctly signed, and every link but the last allows delegation. So the search is a
/// reachability question, answered backwards from the requester in time linear in the
/// certs examined (each cert is looked at once per principal that reaches its subject):
///
/// - a principal P reaches the requester when it is the requester, or it issued a usable
///   cert whose subject leads to the requester: the requester itself, or (when the cert
///   allows delegation) a principal that reaches it; a name leads where a key it resolves
///   to (at that time) does; `(k-of-n K N ...)` leads when K members do;
/// - the request is authorized when an ACL entry that includes it leads to the requester.
///
/// Cycles are harmless: a principal is reached at most once. Names are resolved first, by
/// `NameResolver`, with the name certs valid at the time.
public struct ChainFinder: Sendable {
    public let acl: ACL
    public let bag: CertBag
    /// Authorization certs by the principals their subjects name directly (as the subject
    /// or as a member of a threshold).
    let bySubject: [PrincipalID: [Int]]
    /// Authorization certs whose subjects hold names.
    let withNames: [Int]
    /// The name certs.
    let nameCerts: [Int]
    /// ACL entries by the principals their subjects name directly.
    let aclBySubject: [PrincipalID: [Int]]

    public enum Outcome: Sendable {
        case authorized(Chain)
        case refused(Refusal)
    }

    public init(acl: ACL, bag: CertBag) {
        self.acl = acl
        self.bag = bag
        var bySubject: [PrincipalID: [Int]] = [:]
        var withNames: [Int] = []
        var nameCerts: [Int] = []
        for (index, entry) in bag.entries.enumerated() {
            if entry.cert.isNameCert {
                nameCerts.append(index)
                continue
            }
            var named = false
            Self.visit(entry.cert.subject) { member in
                switch member {
                case .principal(let p): bySubject[p.id, default: []].append(index)
                case .name: named = true
                default: break
                }
            }
            if named { withNames.append(index) }
        }
        self.bySubject = bySubject
        self.withNames = withNames
        self.nameCerts = nameCerts
        var aclBySubject: [PrincipalID: [Int]] = [:]
        for (index, entry) in acl.entries.enumerated() {
            Self.visit(entry.subject) { member in
                if case .principal(let p) = member { aclBySubject[p.id, default: []].append(index) }
            }
        }
        self.aclBySubject = aclBySubject
    }

    static func visit(_ subject: Subject, _ body: (Subject) -> Void) {
        if case .threshold(_, let members) = subject {
            for member in members { visit(member, body) }
        } else {
            body(subject)
        }
    }

    /// One way a subject leads on: the key reached and the name certs used to get there.
    struct Step: Hashable {
        let key: PrincipalID
        let nameCerts: [Int]
    }

    /// How a principal reaches the requester: the cert it issued and where its subject led.
    struct Witness {
        let cert: Int
        let steps: [Step]
    }

    /// Finds a chain for `requester`, `request` at `time`.
    public func find(requester: Principal, request: Tag, at time: SPKIDate) -> Outcome {
        guard !acl.entries.isEmpty else { return .refused(Refusal(.emptyACL)) }
        var search = Search(finder: self, requester: requester.id, request: request, time: time)
        search.run()
        for (index, entry) in acl.entries.enumerated()
        where entry.validity.onlineTests.isEmpty && entry.validity.contains(time) && entry.tag.includes(request) {
            guard let steps = search.leads(entry.subject, propagate: entry.propagate) else { continue }
            var certs: [Int] = []
            search.collect(steps, into: &certs)
            var tag = entry.tag, validity = entry.validity
            for cert in certs.map({ bag.entries[$0].cert }) {
                if let t = cert.tag { tag = tag.narrowed(by: t) }
                validity = validity.intersection(cert.validity)
            }
            return .authorized(Chain(aclEntry: index, certs: certs, tag: tag, validity: validity))
        }
        return .refused(ChainExplainer(finder: self, requester: requester, request: request, time: time).explain())
    }

    /// The state of one search.
    struct Search {
        let finder: ChainFinder
        let requester: PrincipalID
        let request: Tag
        let time: SPKIDate
        let names: NameResolver
        var usable: [UInt8]
        var reach: [PrincipalID: Witness] = [:]
        var byName: [PrincipalID: [Int]] = [:]

        init(finder: ChainFinder, requester: PrincipalID, request: Tag, time: SPKIDate) {
            self.finder = finder
            self.requester = requester
            self.request = request
            self.time = time
            names = NameResolver(bag: finder.bag, candidates: finder.nameCerts, at: time)
            usable = [UInt8](repeating: 0, count: finder.bag.entries.count)
            for index in finder.withNames {
                let cert = finder.bag.entries[index].cert
                ChainFinder.visit(cert.subject.qualified(by: cert.issuer.principal)) { member in
                    guard case .name = member else { return }
                    for fact in names.resolve(member) { byName[fact.key.id, default: []].append(index) }
                }
            }
        }

        /// Whether a cert is usable for this request: signed, valid now, includes the tag.
        mutating func isUsable(_ index: Int) -> Bool {
            if usable[index] == 0 {
                let entry = finder.bag.entries[index]
                let ok = entry.status.isUsable && entry.cert.validity.onlineTests.isEmpty
                    && entry.cert.validity.contains(time) && (entry.cert.tag?.includes(request) ?? false)
                usable[index] = ok ? 1 : 2
            }
            return usable[index] == 1
        }

        /// Whether an ACL entry naming `principal` directly now leads to the requester: the
        /// search can stop there (entries with names are checked after a full search).
        func aclLeads(from principal: PrincipalID) -> Bool {
            for index in finder.aclBySubject[principal] ?? [] {
                let entry = finder.acl.entries[index]
                if entry.validity.onlineTests.isEmpty && entry.validity.contains(time) && entry.tag.includes(request)
                    && leads(entry.subject, propagate: entry.propagate) != nil { return true }
            }
            return false
        }

        mutating func run() {
            reach[requester] = Witness(cert: -1, steps: [])
            if aclLeads(from: requester) { return }
            var queue = [requester]
            var head = 0
            while head < queue.count {
                let reached = queue[head]
                head += 1
                for index in (finder.bySubject[reached] ?? []) + (byName[reached] ?? []) where isUsable(index) {
                    let cert = finder.bag.entries[index].cert
                    let issuer = cert.issuer.principal.id
                    guard reach[issuer] == nil else { continue }
                    guard let steps = leads(cert.subject.qualified(by: cert.issuer.principal), propagate: cert.propagate) else { continue }
                    reach[issuer] = Witness(cert: index, steps: steps)
                    if aclLeads(from: issuer) { return }
                    queue.append(issuer)
                }
            }
        }

        /// Where `subject` leads to the requester, if it does.
        func leads(_ subject: Subject, propagate: Bool) -> [Step]? {
            switch subject {
            case .principal(let key):
                return key.id == requester || (propagate && reach[key.id] != nil) ? [Step(key: key.id, nameCerts: [])] : nil
            case .name:
                for fact in names.resolve(subject) where fact.validity.contains(time)
                    && (fact.key.id == requester || (propagate && reach[fact.key.id] != nil)) {
                    return [Step(key: fact.key.id, nameCerts: fact.certs)]
                }
                return nil
            case .threshold(let k, let members):
                var steps: [Step] = []
                var met = 0
                for member in members {
                    guard let found = leads(member, propagate: propagate) else { continue }
                    steps += found
                    met += 1
                    if met == k { return steps }
                }
                return nil
            case .keyholder, .objectHash:
                return nil
            }
        }

        /// The certs behind `steps`, in presentation order, each once.
        func collect(_ steps: [Step], into certs: inout [Int]) {
            for step in steps {
                for index in step.nameCerts where !certs.contains(index) { certs.append(index) }
                guard step.key != requester, let witness = reach[step.key], !certs.contains(witness.cert) else { continue }
                certs.append(witness.cert)
                collect(witness.steps, into: &certs)
            }
        }
    }
}
