import SExpr

/// `(* range ORD LOW? HIGH?)`: the byte strings of an ordering between two bounds.
///
/// Bounds are `g` (greater than), `ge`, `l` (less than) and `le`. The bounds' display hint
/// (both must have the same one, usually none) is the hint of the atoms the range matches.
public struct TagRange: Hashable, Sendable {
    /// A bound: its value and whether the value itself is inside.
    public struct Bound: Hashable, Sendable {
        public var value: [UInt8]
        public var inclusive: Bool

        public init(_ value: [UInt8], inclusive: Bool) {
            self.value = value
            self.inclusive = inclusive
        }
    }

    public var ordering: RangeOrdering
    public var lower: Bound?
    public var upper: Bound?
    /// The display hint of the bounds, and so of the atoms in the range.
    public var hint: [UInt8]?

    public init(_ ordering: RangeOrdering, lower: Bound? = nil, upper: Bound? = nil, hint: [UInt8]? = nil) {
        self.ordering = ordering
        self.lower = lower
        self.upper = upper
        self.hint = hint
    }

    /// Whether the atom is inside: same hint, a value of the ordering, within the bounds.
    public func contains(_ atom: SExpr.Atom) -> Bool {
        guard atom.hint == hint, ordering.accepts(atom.bytes) else { return false }
        if let lower {
            let c = ordering.compare(atom.bytes, lower.value)
            if c < 0 || (c == 0 && !lower.inclusive) { return false }
        }
        if let upper {
            let c = ordering.compare(atom.bytes, upper.value)
            if c > 0 || (c == 0 && !upper.inclusive) { return false }
        }
        return true
    }

    /// Whether the bounds exclude every value (low above high, or equal and one strict).
    public var isEmpty: Bool {
        guard let lower, let upper else { return false }
        let c = ordering.compare(lower.value, upper.value)
        return c > 0 || (c == 0 && !(lower.inclusive && upper.inclusive))
    }

    /// Whether every value of `other` (same ordering and hint) is inside this range.
    func includes(_ other: TagRange) -> Bool {
        guard other.ordering == ordering, other.hint == hint else { return false }
        if other.isEmpty { return true }
        if let lower {
            guard let theirs = other.lower else { return false }
            let c = ordering.compare(theirs.value, lower.value)
            if c < 0 || (c == 0 && theirs.inclusive && !lower.inclusive) { return false }
        }
        if let upper {
            guard let theirs = other.upper else { return false }
            let c = ordering.compare(theirs.value, upper.value)
            if c > 0 || (c == 0 && theirs.inclusive && !upper.inclusive) { return false }
        }
        return true
    }

    /// The values inside both ranges (same ordering and hint).
    func intersection(_ other: TagRange) -> TagRange {
        TagRange(ordering, lower: tighter(lower, other.lower, wantHigher: true),
                 upper: tighter(upper, other.upper, wantHigher: false), hint: hint)
    }

    /// The tighter of two bounds; ties broken by strictness, then by bytes, so that the
    /// result does not depend on the order of the arguments.
    private func tighter(_ a: Bound?, _ b: Bound?, wantHigher: Bool) -> Bound? {
        guard let a else { return b }
        guard let b else { return a }
        let c = ordering.compare(a.value, b.value)
        if c != 0 { return (c > 0) == wantHigher ? a : b }
        if a.inclusive != b.inclusive { return a.inclusive ? b : a }
        return RangeOrdering.lexicographic(a.value[...], b.value[...]) <= 0 ? a : b
    }

    // MARK: S-expressions

    /// `(* range ORD ge LOW le HIGH)`: flat, lower bound first.
    public var sexp: SExpr {
        var items: [SExpr] = ["*", "range", .string(ordering.rawValue)]
        if let lower {
            items.append(.string(lower.inclusive ? "ge" : "g"))
            items.append(.atom(SExpr.Atom(lower.value, hint: hint)))
        }
        if let upper {
            items.append(.string(upper.inclusive ? "le" : "l"))
            items.append(.atom(SExpr.Atom(upper.value, hint: hint)))
        }
        return .list(items)
    }

    /// Reads the parts after `(* range`: `ORD`, then bounds flat (`ge X`) or as sublists
    /// (`(ge X)`), in either order.
    init(parsing parts: ArraySlice<SExpr>) throws(SPKIError) {
        let shape = "a range is `(* range ORD (g|ge LOW)? (l|le HIGH)?)` with ORD one of alpha, numeric, time, binary, date"
        guard let word = parts.first?.text, let ordering = RangeOrdering(rawValue: word), parts.first?.atomValue?.hint == nil else {
            let found = parts.first.map { Describe.shape($0) } ?? "nothing"
            throw SPKIError(.badRange, "a range needs an ordering first, found \(found)", field: "range", help: shape)
        }
        self.init(ordering)
        var pairs: [(String, SExpr)] = []
        var rest = parts.dropFirst()
        while let item = rest.first {
            if case .list = item {
                guard let name = item.head, item.tail.count == 1 else {
                    throw SPKIError(.badRange, "a range bound must be `(g|ge|l|le VALUE)`, found \(Describe.shape(item))", field: "range", help: shape)
                }
                pairs.append((name, item.tail.first!))
                rest = rest.dropFirst()
            } else {
                guard let name = item.text, rest.count >= 2 else {
                    throw SPKIError(.badRange, "the range bound \(Describe.shape(item)) has no value after it", field: "range", help: shape)
                }
                pairs.append((name, rest[rest.startIndex + 1]))
                rest = rest.dropFirst(2)
            }
        }
        var hints: [[UInt8]?] = []
        for (name, valueExpr) in pairs {
            guard ["g", "ge", "l", "le"].contains(name) else {
                throw SPKIError(.badRange, "`\(name)` is not a range bound", field: "range", help: "bounds are `g`, `ge`, `l` and `le`")
            }
            guard let atom = valueExpr.atomValue else {
                throw SPKIError(.badRangeBound, "the `\(name)` bound must be a byte string, found \(Describe.shape(valueExpr))", field: "range")
            }
            guard ordering.accepts(atom.bytes) else {
                throw SPKIError(.badRangeBound, "the `\(name)` bound of a \(ordering.rawValue) range: \(ordering.problem(atom.bytes))", field: "range")
            }
            let bound = Bound(atom.bytes, inclusive: name.count == 2)
            if name.hasPrefix("g") {
                guard lower == nil else { throw SPKIError(.badRange, "the range has two lower bounds", field: "range", help: shape) }
                lower = bound
            } else {
                guard upper == nil else { throw SPKIError(.badRange, "the range has two upper bounds", field: "range", help: shape) }
                upper = bound
            }
            hints.append(atom.hint)
        }
        if hints.count == 2 && hints[0] != hints[1] {
            throw SPKIError(.badRangeBound, "the two bounds of the range have different display hints", field: "range",
                            help: "a range matches atoms of one hint; give both bounds the same hint (usually none)")
        }
        hint = hints.first ?? nil
    }
}
