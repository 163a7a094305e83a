/// A confidentiality level (of a vpxi) or clearance (of a user), ordered.
public enum Level: String, Sendable, Hashable, Comparable, CaseIterable {
    case low, medium, high

    private var rank: Int {
        switch self {
        case .low: return 0
        case .medium: return 1
        case .high: return 2
        }
    }

    public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
}

/// A hypervisor of the pool.
public enum Hypervisor: String, Sendable, Hashable, CaseIterable {
    case xen, kvm
}

/// What a machine is for (the paper's elementary functions).
public enum MachineFunction: String, Sendable, Hashable, CaseIterable {
    case computing, storage, network
}

/// The ESP suite that protects a link (`none`: explicitly unprotected).
public enum Protection: String, Sendable, Hashable, CaseIterable {
    case aes128GCM = "aes-128-gcm"
    case aes256GCM = "aes-256-gcm"
    case chacha20Poly1305 = "chacha20-poly1305"
    case none
}
