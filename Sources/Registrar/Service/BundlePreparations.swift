import Backends
import PolicyCompiler
import RSA
import Synchronization

/// The part of a vpxi's bundles that does not change from one epoch to the next (the
/// plan's view of the pool, the hosts' parsed keys, the ESP secrets, the users' keys), kept by vpxi for a compiled vpxi that carries a fingerprint (one kept between
/// renewals, `RenewalCache`): each epoch then only plans its certs, logins and ESP keys
/// and builds. A compiled vpxi without a fingerprint is prepared afresh every time.
final class BundlePreparations: Sendable {
    struct Prepared: Sendable {
        /// The compiled IR with the pool's registrations as the bundles see them.
        var ir: InfrastructureIR
        /// This registrar's hosts that run machines of the vpxi: the bundles it builds.
        var own: [String]
        /// One key per host of the model, in its order.
        var hostKeys: [RSAPublicKey]
        var secrets: BundleSecrets
        /// Each user's key (the first of each name): its RSA key is also its SSH key.
        var users: [String: PublicKeyInfo]
    }

    let capacity: Int
    private let entries = Mutex<[String: (fingerprint: [UInt8], prepared: Prepared)]>([:])

    init(capacity: Int = 512) {
        self.capacity = max(1, capacity)
    }

    /// The preparation of `compiled`: kept when it carries a fingerprint, else `make()`.
    func prepared(_ compiled: VPXICompiler.Compiled, make: () throws(RegistrarError) -> Prepared) throws(RegistrarError) -> Prepared {
        guard let fingerprint = compiled.fingerprint else { return try make() }
        let name = compiled.name
        if let entry = entries.withLock({ $0[name] }), entry.fingerprint == fingerprint { return entry.prepared }
        let prepared = try make()
        entries.withLock { entries in
            if entries.count >= capacity, entries[name] == nil, let any = entries.keys.first { entries[any] = nil }
            entries[name] = (fingerprint, prepared)
        }
        return prepared
    }
}
