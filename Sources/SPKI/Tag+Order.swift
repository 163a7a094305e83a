import SExpr

extension Tag {
    /// A fixed total order on tags, used to sort the members of a set in normal form:
    /// first by form (atoms, lists, prefixes, ranges, conjunctions, sets, `(*)`), then by
    /// content (bytes, hints, elements in turn, a shorter list first). Structural, so it
    /// costs no encoding.
    static func order(_ a: Tag, _ b: Tag) -> Int {
        let (ra, rb) = (a.formRank, b.formRank)
        if ra != rb { return ra < rb ? -1 : 1 }
        switch (a, b) {
        case (.atom(let x), .atom(let y)), (.prefix(let x), .prefix(let y)):
            return order(x, y)
        case (.list(let h1, let e1), .list(let h2, let e2)):
            let byHead = order(h1, h2)
            if byHead != 0 { return byHead }
            return order(e1, e2)
        case (.set(let m1), .set(let m2)), (.and(let m1), .and(let m2)):
            return order(m1, m2)
        case (.range(let x), .range(let y)):
            return order(x, y)
        default:
            return 0
        }
    }

    private var formRank: Int {
        switch self {
        case .atom: return 0
        case .list: return 1
        case .prefix: return 2
        case .range: return 3
        case .and: return 4
        case .set: return 5
        case .all: return 6
        }
    }

    private static func order(_ a: [Tag], _ b: [Tag]) -> Int {
        for (x, y) in zip(a, b) {
            let c = order(x, y)
            if c != 0 { return c }
        }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }

    private static func order(_ a: SExpr.Atom, _ b: SExpr.Atom) -> Int {
        let byBytes = RangeOrdering.lexicographic(a.bytes[...], b.bytes[...])
        if byBytes != 0 { return byBytes }
        return order(a.hint, b.hint)
    }

    private static func order(_ a: [UInt8]?, _ b: [UInt8]?) -> Int {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return -1
        case (_, nil): return 1
        case let (x?, y?): return RangeOrdering.lexicographic(x[...], y[...])
        }
    }

    private static func order(_ a: TagRange, _ b: TagRange) -> Int {
        if a.ordering != b.ordering {
            return RangeOrdering.allCases.firstIndex(of: a.ordering)! < RangeOrdering.allCases.firstIndex(of: b.ordering)! ? -1 : 1
        }
        let byHint = order(a.hint, b.hint)
        if byHint != 0 { return byHint }
        for (x, y) in [(a.lower, b.lower), (a.upper, b.upper)] {
            switch (x, y) {
            case (nil, nil): continue
            case (nil, _): return -1
            case (_, nil): return 1
            case let (p?, q?):
                let c = RangeOrdering.lexicographic(p.value[...], q.value[...])
                if c != 0 { return c }
                if p.inclusive != q.inclusive { return p.inclusive ? -1 : 1 }
            }
        }
        return 0
    }
}
