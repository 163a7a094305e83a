import Diagnostics
import SPKI

/// Checks a policy's `test { expect ... }` blocks by reducing the compiled chains.
///
/// An expectation at time T is checked against the certs of the renewal epoch in force
/// at T (the epoch the compiler issues then; T defaults to the compilation time): the
/// certs are planned for that epoch, put in a bag, and SPKI chain discovery
/// (`ChainFinder`: 5-tuple reduction against the machine's ACL) answers whether the user
/// is authorized for the right's request tag on the machine at T. `can` holds when it is
/// on every machine the target names, `cannot` when it is on none. Signatures are not
/// part of the question (they are checked where certs are signed); the tags, delegation
/// flags and validities are exactly those written.
public enum ExpectationChecker {
    public struct Outcome: Sendable {
        public let vpxi: Int
        /// `alice can ssh on worker[3] at 2026-12-02T10:00:00Z`.
        public let description: String
        public let passed: Bool
        /// Why it failed.
        public let detail: String?
        public let range: SourceRange
    }

    /// Checks every expectation. `plan`, when given, is the compilation's own plan: its
    /// certs are used for the expectations that fall in the epochs it holds.
    public static func check(_ ir: InfrastructureIR, at time: Int64, reusing plan: CertPlan? = nil) -> [Outcome] {
        let planner = CertPlanner(ir: ir)
        var outcomes: [Outcome] = []
        for (v, vpxi) in ir.model.vpxis.enumerated() where !vpxi.expectations.isEmpty {
            // The certs of each epoch by machine; a bag per machine tested, of that
            // machine's certs only, so that a refusal is explained by the certs that matter.
            var certsByEpoch: [Int: [Int: [CertPlan.PlannedCert]]] = [:]
            var bags: [Int: [Int: CertBag]] = [:]
            for expectation in vpxi.expectations {
                let at = expectation.at ?? time
                let user = ir.model.users[expectation.user]
                let text = "\(user.name) \(expectation.allowed ? "can" : "cannot") \(expectation.right) on \(expectation.targetText) at \(TimeWindow.format(at))"
                guard let epoch = vpxi.schedule.epoch(at: at) else {
                    outcomes.append(Outcome(vpxi: v, description: text, passed: !expectation.allowed, detail: "the vpxi has no window", range: expectation.range))
                    continue
                }
                if certsByEpoch[epoch.index] == nil {
                    let certs: [CertPlan.PlannedCert]
                    if let plan, !plan.carried.contains(v), plan.epochs.indices.contains(v), plan.epochs[v]?.index == epoch.index {
                        certs = plan.certs.filter { $0.vpxi == v }
                    } else {
                        // Only the machines this vpxi's expectations test in this epoch.
                        let tested = Set(vpxi.expectations.filter { vpxi.schedule.epoch(at: $0.at ?? time)?.index == epoch.index }.flatMap(\.targets))
                        certs = planner.plan(vpxi: v, epoch: epoch, machines: tested).certs
                    }
                    certsByEpoch[epoch.index] = Dictionary(grouping: certs, by: \.machine)
                }
                var failure: String?
                for target in expectation.targets {
                    let machineKey = ir.keys.machines[v][target]
                    let request = TagVocabulary.resourceTag(vpxi: vpxi.name, resource: machineKey, rights: TagVocabulary.requestTag(expectation.right))
                    if bags[epoch.index]?[target] == nil {
                        bags[epoch.index, default: [:]][target] = bag(certsByEpoch[epoch.index]![target] ?? [])
                    }
                    let bag = bags[epoch.index]![target]!
                    let finder = ChainFinder(acl: planner.acl(vpxi: v, machine: target), bag: bag)
                    let machine = vpxi.machines[target].name
                    switch finder.find(requester: user.key.principal, request: request, at: SPKIDate(secondsSinceEpoch: at)) {
                    case .authorized(let chain):
                        if !expectation.allowed {
                            failure = "a chain of \(chain.certs.count) certs grants it on `\(machine)`: `\(chain.tag)`, valid \(describe(chain.validity))"
                        }
                    case .refused(let refusal):
                        if expectation.allowed {
                            failure = "no chain grants it on `\(machine)`: \(describe(refusal, bag: bag))"
                        }
                    }
                    if failure != nil { break }
                }
                outcomes.append(Outcome(vpxi: v, description: text, passed: failure == nil, detail: failure, range: expectation.range))
            }
        }
        return outcomes
    }

    /// The diagnostics (E0130) of the failed outcomes.
    public static func diagnostics(_ outcomes: [Outcome]) -> [Diagnostic] {
        outcomes.filter { !$0.passed }.map { outcome in
            SemanticError.expectationFailed.diagnostic(
                "expectation failed: \(outcome.description)", at: outcome.range, label: "does not hold",
                notes: outcome.detail.map { [Diagnostic.Note($0)] } ?? [],
                help: "fix the grants (or the expectation, if it is the one that is wrong); the chains are those compiled for the epoch in force at that time")
        }
    }

    static func bag(_ certs: [CertPlan.PlannedCert]) -> CertBag {
        var builder = CertBag.Builder()
        for planned in certs {
            try? builder.add(planned.cert, signature: nil, origin: "\(planned.flow.rawValue) \(planned.issuer.name) -> \(planned.subject.name)")
        }
        return builder.build(checkSignatures: false)
    }

    static func describe(_ validity: Validity) -> String {
        let from = validity.notBefore.map { TimeWindow.format($0.secondsSinceEpoch) } ?? "always"
        let to = validity.notAfter.map { TimeWindow.format($0.secondsSinceEpoch) } ?? "forever"
        return "\(from) .. \(to)"
    }

    static func describe(_ refusal: Refusal, bag: CertBag) -> String {
        switch refusal.kind {
        case .emptyACL: return "the machine's ACL is empty"
        case .noPath: return "no cert leads from the machine to the user (the user holds no grant on it then)"
        case .failingChains(let chains):
            guard let chain = chains.first else { return "no chain" }
            var where_ = "link \(chain.failingLink)"
            if case .cert(let index) = chain.links[chain.failingLink] { where_ = "the cert \(bag.entries[index].origin)" }
            switch chain.reason {
            case .delegationNotAllowed: return "\(where_) does not allow delegation"
            case .tagExcludesRequest(let tag, let request): return "\(where_) grants `\(tag)`, which does not include `\(request)`"
            case .tagsDisjoint(let tag, _): return "\(where_) grants `\(tag)`, nothing in common with the chain before it"
            case .validityEnded(let end, _): return "\(where_) is valid until \(TimeWindow.format(end.secondsSinceEpoch))"
            case .notYetValid(let start, _): return "\(where_) is valid from \(TimeWindow.format(start.secondsSinceEpoch))"
            case .validityDisjoint: return "\(where_) is not valid when the chain before it is"
            case .onlineTestRequired: return "\(where_) asks for an online test"
            case .signature(let problem): return "\(where_): \(problem)"
            case .issuerMismatch(let expected, let found): return "\(where_) is issued by \(found), not \(expected)"
            case .thresholdNotMet(let k, let met): return "\(where_) needs \(k) subjects, \(met) met"
            }
        }
    }
}
