import SExpr

extension Tag {
    // MARK: Normalisation

    /// The normal form: sets flattened, empty members dropped, members allowed by another
    /// member dropped, members sorted in a fixed order (`Tag.order`); a set of one member is that
    /// member and the empty set is `Tag.none`; a list with an empty element is empty;
    /// patterns merged (see `intersection`).
    public var normalized: Tag {
        switch self {
        case .all, .atom, .prefix:
            return self
        case .range(let range):
            return range.isEmpty ? .none : PatternMerge.canonical(range)
        case .list(let head, let elements):
            var out: [Tag] = []
            out.reserveCapacity(elements.count)
            for element in elements {
                let normal = element.normalized
                if normal == .none { return .none }
                out.append(normal)
            }
            return .list(head, out)
        case .set(let members):
            return Tag.union(members.map(\.normalized))
        case .and(let members):
            return PatternMerge.merge(members)
        }
    }

    /// The union of normalised tags, normalised.
    static func union(_ members: [Tag]) -> Tag {
        var flat: [Tag] = []
        for member in members {
            switch member {
            case .all: return .all
            case .set(let inner): flat += inner
            default: flat.append(member)
            }
        }
        if flat.isEmpty { return .none }
        if flat.count == 1 { return flat[0] }
        // Sort, drop duplicates, then drop members allowed by another.
        flat.sort { order($0, $1) < 0 }
        var sorted: [Tag] = []
        sorted.reserveCapacity(flat.count)
        for member in flat where sorted.last.map({ order($0, member) != 0 }) ?? true { sorted.append(member) }
        if sorted.count == 1 { return sorted[0] }
        // Only some members can allow a given one: patterns allow atoms and patterns, a
        // list is allowed only by lists with its head. Comparing within those groups keeps
        // large sets of atoms linear.
        var patterns: [Int] = []
        var listsByHead: [SExpr.Atom: [Int]] = [:]
        for (i, member) in sorted.enumerated() {
            switch member {
            case .list(let head, _): listsByHead[head, default: []].append(i)
            case .atom: break
            default: patterns.append(i)
            }
        }
        var kept: [Tag] = []
        for (i, candidate) in sorted.enumerated() {
            var absorbed = false
            let rivals: [Int]
            if case .list(let head, _) = candidate { rivals = listsByHead[head] ?? [] } else { rivals = patterns }
            for j in rivals where i != j && sorted[j].includes(candidate) {
                let other = sorted[j]
                // Equivalent members: keep the first in order.
                if !candidate.includes(other) || j < i {
                    absorbed = true
                    break
                }
            }
            if !absorbed { kept.append(candidate) }
        }
        return kept.count == 1 ? kept[0] : .set(kept)
    }

    // MARK: Intersection

    /// The requests allowed by both tags, normalised. Commutative and associative up to
    /// normalisation; `a.intersection(a) == a.normalized`.
    public func intersection(_ other: Tag) -> Tag {
        switch (self, other) {
        case (.all, let x), (let x, .all):
            return x.normalized
        case (.set(let m1), .set(let m2)) where m1.allSatisfy(\.isAtom) && m2.allSatisfy(\.isAtom):
            // Sets of atoms: their common atoms, without comparing every pair.
            let common = Set(m2)
            return Tag.union(m1.filter { common.contains($0) })
        case (.set(let members), let x), (let x, .set(let members)):
            return Tag.union(members.map { $0.intersection(x) })
        case (.atom(let a), .atom(let b)):
            return a == b ? self : .none
        case (.atom(let a), let p) where p.isPattern, (let p, .atom(let a)) where p.isPattern:
            return p.matches(a) ? .atom(a) : .none
        case (.list(let h1, let e1), .list(let h2, let e2)):
            guard h1 == h2 else { return .none }
            var out: [Tag] = []
            out.reserveCapacity(max(e1.count, e2.count))
            for i in 0..<max(e1.count, e2.count) {
                let element: Tag
                if i < e1.count && i < e2.count {
                    element = e1[i].intersection(e2[i])
                } else {
                    element = (i < e1.count ? e1[i] : e2[i]).normalized
                }
                if element == .none { return .none }
                out.append(element)
            }
            return .list(h1, out)
        case (let p, let q) where p.isPattern && q.isPattern:
            return PatternMerge.merge([p, q])
        default:
            return .none
        }
    }

    /// The intersection, with shortcuts for tags already in normal form (as the tags of
    /// parsed certs and ACL entries, and every intersection, are): a tag meets itself or
    /// `(*)` unchanged. Used along chains, where tags are mostly equal or narrowing.
    func narrowed(by other: Tag) -> Tag {
        if self == other { return self }
        if case .all = self { return other }
        if case .all = other { return self }
        return intersection(other)
    }

    var isAtom: Bool {
        if case .atom = self { return true }
        return false
    }

    /// Whether a prefix, range or conjunction matches the atom.
    func matches(_ atom: SExpr.Atom) -> Bool {
        switch self {
        case .prefix(let p): return atom.hint == p.hint && atom.bytes.starts(with: p.bytes)
        case .range(let range): return range.contains(atom)
        case .and(let members): return members.allSatisfy { $0.matches(atom) }
        case .all: return true
        case .atom(let a): return a == atom
        case .set(let members): return members.contains { $0.matches(atom) }
        case .list: return false
        }
    }
}

/// Intersecting prefixes and ranges: at most one constraint per kind survives.
///
/// - prefixes: the longer one when one starts with the other, otherwise nothing;
/// - ranges of one ordering: the tighter bounds;
/// - a prefix P and an alpha range: the alpha range also bounded by `ge P` and `l P'`,
///   where P' is the smallest string above every string that starts with P;
/// - anything else is kept side by side in `(* and ...)`, sorted;
/// - patterns with different hints match no atom: nothing.
enum PatternMerge {
    static func merge(_ patterns: [Tag]) -> Tag {
        var prefix: SExpr.Atom?
        var ranges: [RangeOrdering: TagRange] = [:]
        var hint: [UInt8]??
        var queue = patterns
        while let pattern = queue.popLast() {
            switch pattern {
            case .and(let members):
                queue += members
            case .prefix(let p):
                if let h = hint, h != p.hint { return .none }
                hint = .some(p.hint)
                if let current = prefix {
                    if p.bytes.starts(with: current.bytes) {
                        prefix = p
                    } else if !current.bytes.starts(with: p.bytes) {
                        return .none
                    }
                } else {
                    prefix = p
                }
            case .range(let r):
                if let h = hint, h != r.hint { return .none }
                hint = .some(r.hint)
                ranges[r.ordering] = ranges[r.ordering].map { $0.intersection(r) } ?? r
            default:
                return pattern.normalized
            }
        }
        if let p = prefix, let alpha = ranges[.alpha] {
            ranges[.alpha] = alpha.intersection(interval(of: p))
            prefix = nil
        }
        var members: [Tag] = []
        if let prefix { members.append(.prefix(prefix)) }
        for ordering in RangeOrdering.allCases {
            guard let r = ranges[ordering] else { continue }
            if r.isEmpty { return .none }
            members.append(canonical(r))
        }
        switch members.count {
        case 0: return .none
        case 1: return members[0]
        default: return .and(members)
        }
    }

    /// A range, or the prefix it is exactly: an alpha range `ge P l P'` (or `ge P` alone
    /// when P has no successor, `(* range alpha)` for P empty) is written `(* prefix P)`,
    /// so that equal tags have one normal form.
    /// A lower bound that every value meets (`ge ""` in alpha and binary order, any
    /// `ge` of zero bytes in binary order) is dropped.
    static func canonical(_ range: TagRange) -> Tag {
        var r = range
        if let lower = r.lower, lower.inclusive,
           (r.ordering == .alpha && lower.value.isEmpty) || (r.ordering == .binary && lower.value.allSatisfy { $0 == 0 }) {
            r.lower = nil
        }
        guard r.ordering == .alpha, r.lower?.inclusive ?? true else { return .range(r) }
        let p = r.lower?.value ?? []
        let expectedUpper = successor(p)
        switch (r.upper, expectedUpper) {
        case (nil, nil):
            return .prefix(SExpr.Atom(p, hint: r.hint))
        case let (upper?, successor?) where !upper.inclusive && upper.value == successor:
            return .prefix(SExpr.Atom(p, hint: r.hint))
        default:
            return .range(r)
        }
    }

    /// The alpha range of the strings that start with `p`: `ge p l succ(p)`.
    static func interval(of p: SExpr.Atom) -> TagRange {
        TagRange(.alpha, lower: .init(p.bytes, inclusive: true),
                 upper: successor(p.bytes).map { .init($0, inclusive: false) }, hint: p.hint)
    }

    /// The smallest string greater than every string that starts with `bytes`: drop
    /// trailing 0xFF bytes and increment the last; `nil` when there is none.
    static func successor(_ bytes: [UInt8]) -> [UInt8]? {
        var out = bytes
        while let last = out.last, last == 0xFF { out.removeLast() }
        guard !out.isEmpty else { return nil }
        out[out.count - 1] += 1
        return out
    }
}
