import Backends
import PolicyCompiler
import RSA
import Synchronization

/// The part of a vpxi's bundles that does not change from one epoch to the next (the
/// plan's view of the pool, the hosts' parsed keys, the ESP secrets, the users' keys). It
/// is kept with the compiled vpxi it derives from (`VPXICompiler.Compiled.derived`, present
/// on one kept between renewals by `RenewalCache`) and dropped with it, so that the cache's
/// one bound (`Configuration.renewalCacheSize`) covers both; each epoch then only plans its
/// certs, logins and ESP keys and builds. A compiled vpxi without it is prepared afresh
/// every time.
enum BundlePreparations {
    struct Prepared: Sendable {
        /// The compiled IR with the pool's registrations as the bundles see them.
        var ir: InfrastructureIR
        /// This registrar's hosts that run machines of the vpxi: the bundles it builds.
        var own: [String]
        /// One key per host of the model, in its order.
        var hostKeys: [RSAPublicKey]
        var secrets: BundleSecrets
        /// The bundle plan's registrars, hosts, vpxis, VMs and links (no epoch changes
        /// them): each epoch plans only its logins, key horizon and time.
        var skeleton: NodeBundlePlanner.Skeleton
        /// Each user's OpenSSH key line (the first key of each name): the registrar knows
        /// one key per user, its RSA key, which is also its SSH key.
        var sshLines: [String: String]
        /// The VMs' hypervisor files and the hosts' peer files, made at the first epoch and
        /// reused while their inputs are the same (`BundleFileCache`).
        var files: BundleFileCache
    }

    /// The preparation of `compiled`: the one it carries, else `make()` (then carried).
    static func prepared(_ compiled: VPXICompiler.Compiled, make: () throws(RegistrarError) -> Prepared) throws(RegistrarError) -> Prepared {
        guard let derived = compiled.derived else { return try make() }
        return try derived.value(make)
    }
}

/// Values derived from one kept compiled vpxi, one per type, made on first use by whoever
/// derives them (the bundle source's `BundlePreparations.Prepared`), dropped with it.
public final class DerivedValues: Sendable {
    private let values = Mutex<[ObjectIdentifier: any Sendable]>([:])

    init() {}

    /// The value of type `T`, made by `make` the first time. Two threads asking at once may
    /// both make it (the same value: it derives from the same compiled vpxi).
    func value<T: Sendable, E: Error>(_ make: () throws(E) -> T) throws(E) -> T {
        let key = ObjectIdentifier(T.self)
        if let found = values.withLock({ $0[key] }) as? T { return found }
        let made = try make()
        values.withLock { $0[key] = made }
        return made
    }

    /// How many values are kept (for tests).
    var count: Int { values.withLock { $0.count } }
}
