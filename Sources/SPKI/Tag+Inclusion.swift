import SExpr

extension Tag {
    /// Whether every request allowed by `request` is allowed by this tag: "this tag
    /// authorizes the request". Agrees with `intersection(request) == request` up to
    /// normalisation; sound (never true wrongly) for every pair of forms, and complete
    /// except where a union of ranges covers a range no single member covers, or patterns
    /// of different orderings happen to coincide.
    public func includes(_ request: Tag) -> Bool {
        switch (self, request) {
        case (.all, _):
            return true
        case (_, .set(let members)):
            return members.allSatisfy { includes($0) }
        case (_, .range(let r)) where r.isEmpty:
            return true
        case (.set(let members), _):
            guard let choices = request.alternatives(limit: 256) else {
                return members.contains { $0.includes(request) }
            }
            return choices.allSatisfy { choice in members.contains { $0.includes(choice) } }
        case (.and(let members), _):
            return members.allSatisfy { $0.includes(request) }
        case (_, .all):
            return false
        case (.atom(let a), .atom(let b)):
            return a == b
        case (.list(let h1, let e1), .list(let h2, let e2)):
            guard h1 == h2, e2.count >= e1.count else { return false }
            for i in e1.indices where !e1[i].includes(e2[i]) { return false }
            return true
        case (.atom, _), (.list, _):
            return false
        case (_, .atom(let a)):
            return matches(a)
        case (_, .list):
            return false
        default:
            return patternIncludes(request)
        }
    }

    /// Inclusion between patterns: `self` is a prefix or a range, `request` a prefix, a
    /// range or a conjunction.
    private func patternIncludes(_ request: Tag) -> Bool {
        if case .and(let members) = request {
            if members.contains(where: { includes($0) }) { return true }
            return false
        }
        guard let mine = patternHint, let theirs = request.patternHint, mine == theirs else { return false }
        if isUniversalPattern { return true }
        switch (self, request) {
        case (.prefix(let p), .prefix(let q)):
            return q.bytes.starts(with: p.bytes)
        case (.prefix(let p), .range(let r)):
            return r.ordering == .alpha && PatternMerge.interval(of: p).includes(r)
        case (.range(let a), .range(let b)):
            return a.includes(b)
        case (.range(let a), .prefix(let q)):
            return a.ordering == .alpha && a.includes(PatternMerge.interval(of: q))
        default:
            return false
        }
    }

    /// The hint of the atoms a prefix or range matches.
    private var patternHint: [UInt8]?? {
        switch self {
        case .prefix(let p): return .some(p.hint)
        case .range(let r): return .some(r.hint)
        default: return nil
        }
    }

    /// `(* prefix "")` or an alpha range without bounds: every atom of its hint.
    private var isUniversalPattern: Bool {
        switch self {
        case .prefix(let p): return p.bytes.isEmpty
        case .range(let r): return r.ordering == .alpha && r.lower == nil && r.upper == nil
        default: return false
        }
    }

    /// The tag written as a union of set-free alternatives (sets inside lists expanded),
    /// or `nil` when there would be more than `limit` of them.
    func alternatives(limit: Int) -> [Tag]? {
        switch self {
        case .set(let members):
            var out: [Tag] = []
            for member in members {
                guard let inner = member.alternatives(limit: limit) else { return nil }
                out += inner
                if out.count > limit { return nil }
            }
            return out
        case .list(let head, let elements):
            var partial: [[Tag]] = [[]]
            for element in elements {
                guard let choices = element.alternatives(limit: limit) else { return nil }
                if choices.count == 1 {
                    for i in partial.indices { partial[i].append(choices[0]) }
                    continue
                }
                guard partial.count * choices.count <= limit else { return nil }
                partial = partial.flatMap { prefix in choices.map { prefix + [$0] } }
            }
            return partial.map { .list(head, $0) }
        default:
            return [self]
        }
    }
}
