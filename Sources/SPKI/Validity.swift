import SExpr

/// A validity period: `(valid (not-before D)? (not-after D)? (online ...)*)`.
///
/// A missing bound is open. Online tests are kept as received; no online check is made
/// here, so reduction refuses a cert that asks for one (see `Reducer`).
public struct Validity: Hashable, Sendable {
    public var notBefore: SPKIDate?
    public var notAfter: SPKIDate?
    /// `(online ...)` tests, as received.
    public var onlineTests: [SExpr]

    /// Always valid.
    public static let always = Validity()

    public init(notBefore: SPKIDate? = nil, notAfter: SPKIDate? = nil, onlineTests: [SExpr] = []) {
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.onlineTests = onlineTests
    }

    /// Whether no time at all is inside the period.
    public var isEmpty: Bool {
        if let notBefore, let notAfter { return notBefore > notAfter }
        return false
    }

    /// Whether the period has no bounds and no online test.
    public var isUnbounded: Bool { notBefore == nil && notAfter == nil && onlineTests.isEmpty }

    /// Whether `time` is inside the period (bounds included).
    public func contains(_ time: SPKIDate) -> Bool {
        if let notBefore, time < notBefore { return false }
        if let notAfter, time > notAfter { return false }
        return true
    }

    /// Whether every time of `other` is inside this period.
    public func includes(_ other: Validity) -> Bool {
        if other.isEmpty { return true }
        if let notBefore, other.notBefore.map({ $0 < notBefore }) ?? true { return false }
        if let notAfter, other.notAfter.map({ $0 > notAfter }) ?? true { return false }
        return Set(onlineTests).isSubset(of: Set(other.onlineTests))
    }

    /// The times inside both periods; the online tests of both.
    public func intersection(_ other: Validity) -> Validity {
        let start: SPKIDate? = switch (notBefore, other.notBefore) {
        case let (a?, b?): max(a, b)
        case let (a, b): a ?? b
        }
        let end: SPKIDate? = switch (notAfter, other.notAfter) {
        case let (a?, b?): min(a, b)
        case let (a, b): a ?? b
        }
        var tests = onlineTests
        for test in other.onlineTests where !tests.contains(test) { tests.append(test) }
        return Validity(notBefore: start, notAfter: end, onlineTests: tests)
    }

    // MARK: S-expressions

    /// `(valid ...)`, or `nil` when the period is unbounded (the field is then omitted).
    public var sexp: SExpr? {
        if isUnbounded { return nil }
        var items: [SExpr] = ["valid"]
        if let notBefore { items.append(["not-before", .string(notBefore.description)]) }
        if let notAfter { items.append(["not-after", .string(notAfter.description)]) }
        items += onlineTests
        return .list(items)
    }

    /// Reads `(valid ...)`. Truncated dates are accepted with a warning.
    public init(parsing value: SExpr, warnings: inout [SPKIWarning]) throws(SPKIError) {
        guard value.head == "valid" else {
            throw SPKIError(.badValidity, "expected `(valid …)`, found \(Describe.shape(value))", field: "valid")
        }
        self.init()
        var stage = 0
        for item in value.tail {
            switch item.head {
            case "not-before", "not-after":
                let name = item.head!
                let order = name == "not-before" ? 1 : 2
                guard order > stage else {
                    throw SPKIError(stage == order ? .repeatedField : .fieldOutOfOrder,
                                    stage == order ? "`(\(name) …)` appears twice in `(valid …)`"
                                        : "`(\(name) …)` comes after `(not-after …)` or an online test in `(valid …)`",
                                    field: name, help: "write `(valid (not-before D)? (not-after D)? (online …)*)` in this order")
                }
                stage = order
                guard item.tail.count == 1, let bytes = item.tail.first?.atomBytes else {
                    throw SPKIError(.badValidity, "`(\(name) …)` must hold one date", field: name)
                }
                let date = try Self.bound(name, bytes, warnings: &warnings)
                if name == "not-before" { notBefore = date } else { notAfter = date }
            case "online":
                stage = 3
                onlineTests.append(item)
            default:
                throw SPKIError(.unknownField, "\(Describe.shape(item)) is not a field of `(valid …)`", field: "valid",
                                help: "a validity holds `(not-before D)`, `(not-after D)` and `(online …)` tests")
            }
        }
    }

    /// The date of `(not-before D)` or `(not-after D)` (`name`), `D` being `bytes`; a
    /// truncated date is read with a warning.
    static func bound(_ name: String, _ bytes: some Collection<UInt8>, warnings: inout [SPKIWarning]) throws(SPKIError) -> SPKIDate {
        let parsed: SPKIDate.Parsed
        do {
            parsed = try SPKIDate.parse(spki: bytes)
        } catch {
            throw SPKIError(.badDate, "in `(\(name) …)`: \(error.message)", field: name, help: error.help)
        }
        if parsed.wasTruncated {
            warnings.append(SPKIWarning(.truncatedDate, "`(\(name) \(String(decoding: bytes, as: UTF8.self)))` is a truncated date, read as \(parsed.date)"))
        }
        return parsed.date
    }
}
