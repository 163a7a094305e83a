import Diagnostics

/// The value of a property; its shape depends on the property. The rare, large
/// values are boxed (`indirect`) to keep every property small.
public enum PropertyValue: Hashable, Sendable {
    /// `cpus 4`, `memory 8 GiB`, `max-cost 40 units/hour`, a host's `bandwidth 10 Gbps`.
    case quantity(Quantity)
    /// A single word: `hypervisor xen`, `owner alice`, `function computing`.
    case name(Identifier)
    /// A list of names: `trusted-by hospital-lyon, inria`.
    case names([Identifier])
    /// `image "debian-etch-amd64"`.
    case text(StringLiteral)
    /// `locator 192.0.2.{10+index}, 2001:db8::{index}`.
    case locators([Locator])
    /// A link's `bandwidth >= 1 Gbps`, `latency <= 10ms`.
    case bound(Bound)
    /// `window 2026-12-01T08:00Z .. 2026-12-21T20:00Z`.
    indirect case window(Window)
    /// `certificates valid 36h renew every 12h`.
    indirect case lifetime(Lifetime)
    /// `require trusted-by hospital-lyon`.
    indirect case requirement(Requirement)
    /// `registered-with lyon until 2027-06-30T00:00Z`.
    indirect case registration(Registration)
}

/// A comparison bound on a link or host attribute.
public struct Bound: Hashable, Sendable {
    public enum Comparison: String, Sendable {
        case atLeast = ">="
        case atMost = "<="
    }

    public var quantity: Quantity
    public var comparison: Comparison
    /// Whether the operator was written (it may be left implicit).
    public var isExplicit: Bool

    public init(comparison: Comparison, quantity: Quantity, isExplicit: Bool) {
        self.comparison = comparison
        self.quantity = quantity
        self.isExplicit = isExplicit
    }
}

/// Certificate lifetime and renewal period.
public struct Lifetime: Hashable, Sendable {
    public var valid: Quantity
    public var renewEvery: Quantity?

    public init(valid: Quantity, renewEvery: Quantity?) {
        self.valid = valid
        self.renewEvery = renewEvery
    }
}

/// A placement requirement of a vpxi, node or cluster.
public struct Requirement: Hashable, Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case trustedBy = "trusted-by"
        case hypervisor
        case site
    }

    public var kind: Kind
    public var values: [Identifier]

    public init(kind: Kind, values: [Identifier]) {
        self.kind = kind
        self.values = values
    }
}

/// A host's registration with a registrar, optionally bounded in time.
public struct Registration: Hashable, Sendable {
    public var registrar: Identifier
    public var from: DateTime?
    public var until: DateTime?

    public init(registrar: Identifier, from: DateTime?, until: DateTime?) {
        self.registrar = registrar
        self.from = from
        self.until = until
    }
}
