import Diagnostics

/// The value of a property; its shape depends on the property. The rare, large
/// values are boxed (`indirect`) to keep every property small.
public enum PropertyValue: Hashable, Sendable {
    /// `cpus 4`, `memory 8 GiB`, `max-cost 40 units/hour`, a host's `bandwidth 10 Gbps`.
    case quantity(Quantity)
    /// A single word: `hypervisor xen`, `owner alice`, `function computing`.
    case name(Identifier)
    /// A list of names: `trusted-by hospital-lyon, inria`.
    case names(SlabList<Identifier>)
    /// `image "debian-etch-amd64"`.
    case text(StringLiteral)
    /// `locator 192.0.2.{10+index}, 2001:db8::{index}`.
    case locators(SlabList<Locator>)
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

extension PropertyValue {
    /// The range of the value (the last part of it, for lists).
    public var range: SourceRange {
        switch self {
        case .quantity(let quantity): return quantity.range
        case .name(let name): return name.range
        case .names(let names): return names[0].range.union(names[names.count - 1].range)
        case .text(let text): return text.range
        case .locators(let locators): return locators[0].range.union(locators[locators.count - 1].range)
        case .bound(let bound): return bound.quantity.range
        case .window(let window): return window.range
        case .lifetime(let lifetime): return lifetime.valid.range.union((lifetime.renewEvery ?? lifetime.valid).range)
        case .requirement(let requirement): return requirement.values[0].range.union(requirement.values[requirement.values.count - 1].range)
        case .registration(let registration):
            return registration.registrar.range.union((registration.until ?? registration.from)?.range ?? registration.registrar.range)
        }
    }
}
