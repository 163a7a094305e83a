/// A Local Scope Identifier: an IPv4 stand-in for a HIT, in 1.0.0.0/8, for IPv4 applications
/// and the peer-table formats that carry one (OpenHIP's `known_host_identities.xml`, HIPL's
/// `hosts`).
public struct LSI: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The low 24 bits (the address is 1.x.y.z).
    public let low24: UInt32

    public init(low24: UInt32) {
        precondition(low24 <= 0xFF_FFFF, "an LSI has 24 free bits")
        self.low24 = low24
    }

    public var address: IPAddress {
        .v4([1, UInt8(truncatingIfNeeded: low24 >> 16), UInt8(truncatingIfNeeded: low24 >> 8), UInt8(truncatingIfNeeded: low24)])
    }

    public var description: String { address.description }

    public static func < (lhs: LSI, rhs: LSI) -> Bool { lhs.low24 < rhs.low24 }

    /// Whether the value is usable: not 1.0.0.0 nor 1.255.255.255.
    public var isUsable: Bool { low24 != 0 && low24 != 0xFF_FFFF }

    /// One LSI per HIT, unique within the set: each HIT takes OpenHIP's HIT2LSI value (its
    /// last 24 bits) unless that is taken or unusable, in which case the next free value
    /// upwards (wrapping) is used. HITs are served in ascending order, so the result depends
    /// only on the set of HITs, not on the order they are given in.
    public static func allocate(_ hits: some Sequence<HIT>) throws(BackendsError) -> [HIT: LSI] {
        let sorted = Set(hits).sorted()
        guard sorted.count <= 0xFF_FFFE else {
            throw BackendsError(.lsiSpaceExhausted, "\(sorted.count) identities do not fit the 16,777,214 LSIs of 1.0.0.0/8")
        }
        var taken = Set<UInt32>()
        var result: [HIT: LSI] = [:]
        result.reserveCapacity(sorted.count)
        for hit in sorted {
            var candidate = hit.defaultLSI.low24
            while candidate == 0 || candidate == 0xFF_FFFF || taken.contains(candidate) {
                candidate = (candidate + 1) & 0xFF_FFFF
            }
            taken.insert(candidate)
            result[hit] = LSI(low24: candidate)
        }
        return result
    }
}
