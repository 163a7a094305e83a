import Diagnostics
import Hashing
import PolicyCompiler
import PolicyLanguage
import RSA
import SExpr
import SPKI

/// Compiles one requested vpxi against the pool with the compiler's library: semantic
/// analysis, placement, certificate planning and signing. Nothing here re-implements a
/// stage; it only feeds the compiler the pool (`PoolSnapshot`) and the VM slots'
/// enrolled keys, and swaps each planned `<R, H, A, propagate, V>` for the certificate
/// the resource itself signed at enrollment.
public struct VPXICompiler: Sendable {
    /// An enrolled VM slot: its key and the resource → registrar certificate it signed.
    public struct Slot: Sendable {
        public var host: String
        public var index: Int64
        public var key: PublicKeyInfo
        /// `(sequence CERT SIGNATURE)` as enrolled.
        public var resourceCert: SExpr
        /// The host's public key as enrolled (the bundle's ESP keys are wrapped to it).
        public var hostKey: SExpr?

        public init(host: String, index: Int64, key: PublicKeyInfo, resourceCert: SExpr, hostKey: SExpr? = nil) {
            self.host = host
            self.index = index
            self.key = key
            self.resourceCert = resourceCert
            self.hostKey = hostKey
        }
    }

    /// What the analysis and placement decided.
    public struct Compiled: Sendable {
        public let ir: InfrastructureIR
        /// The index of the requested vpxi in the model.
        public let vpxi: Int
        /// For each machine, its slot.
        public let slots: [Slot]
        /// What it was compiled from (`RenewalCache.fingerprint`) when it is kept between
        /// renewals: what is derived from it may then be kept under the same key.
        public internal(set) var fingerprint: [UInt8]?
        /// What is derived from it and kept with it (the bundles' preparation), when it is
        /// kept between renewals; nil otherwise.
        public internal(set) var derived: DerivedValues?
        public var model: PolicyModel { ir.model }
        public var name: String { ir.model.vpxis[vpxi].name }
    }

    /// The registrar's own name and private key (it signs what it issues).
    public let registrarName: String
    public let registrarKey: RSAKeyFile

    public init(registrarName: String, registrarKey: RSAKeyFile) {
        self.registrarName = registrarName
        self.registrarKey = registrarKey
    }

    /// Analyses and places `policy` (the pool snapshot followed by one vpxi), then gives
    /// each machine a slot with `assign(host, machine)`. The vpxi must name this registrar,
    /// or `builder` when given (another registrar's vpxi, whose bundles for this registrar's
    /// hosts this one builds).
    public func compile(policy: String, builder: String? = nil,
                        assign: (String, String) throws(RegistrarError) -> Slot) throws(RegistrarError) -> Compiled {
        let path = "request.vp"
        let bytes = Array(policy.utf8)
        let loader = PolicyLoader(followIncludes: false) { name in
            name == path ? .success(bytes) : .failure(.init(reason: "a request cannot include other files"))
        }
        let loaded = loader.load([path])
        if loaded.diagnostics.hasErrors {
            throw policyError(loaded.diagnostics, loaded.sources)
        }
        let keys = KeyLoader { _ in .failure(.init(reason: "keys in a request are given inline")) }
        let semantic = SemanticAnalyzer.analyze(loaded, keys: keys)
        if semantic.hasErrors { throw policyError(semantic.diagnostics, loaded.sources) }
        let model = semantic.model
        guard model.vpxis.count == 1 else {
            throw RegistrarError(.policyError, "a request declares exactly one vpxi; this one declares \(model.vpxis.count)",
                                 help: "send one `vpxi NAME { ... }` block")
        }
        let vpxi = model.vpxis[0]
        let expected = builder ?? registrarName
        guard model.registrars[vpxi.registrar].name == expected else {
            throw RegistrarError(.policyError, "vpxi `\(vpxi.name)` names registrar `\(model.registrars[vpxi.registrar].name)`, but this is registrar `\(expected)`",
                                 help: "write `registrar \(expected)` in the vpxi, or send the request to that registrar")
        }
        let placement = Placer.place(model)
        if !placement.succeeded {
            let text = HumanRenderer().render(placement.diagnostics, sources: loaded.sources)
            throw RegistrarError(.poolExhausted, "the pool has no room for vpxi `\(vpxi.name)`:\n\(text)",
                                 help: "ask for fewer or smaller machines, or wait for resources to be released")
        }
        var slots: [Slot] = []
        for (m, machine) in vpxi.machines.enumerated() {
            slots.append(try assign(model.hosts[placement.hosts[0][m]].name, machine.name))
        }
        var signers: [PrincipalID: RSAPrivateKey] = [:]
        if let privateKey = registrarKey.privateKey { signers[Principal(key: registrarKey).id] = privateKey }
        let resolved = ResolvedKeys(machines: [slots.map(\.key)], signers: signers, hosts: [:], generated: [])
        return Compiled(ir: InfrastructureIR(model: model, placement: placement, keys: resolved), vpxi: 0, slots: slots, fingerprint: nil, derived: nil)
    }

    func policyError(_ diagnostics: [Diagnostic], _ sources: SourceManager) -> RegistrarError {
        let errors = diagnostics.filter { $0.severity == .error }
        let text = HumanRenderer().render(errors, sources: sources)
        return RegistrarError(.policyError, "the vpxi does not compile (\(errors.count) error\(errors.count == 1 ? "" : "s")):\n\(text)",
                              help: "check the fragment with `spkic check` against the same pool")
    }

    /// The public key info of an enrolled key (an SPKI `(public-key ...)`).
    public static func keyInfo(_ sexp: SExpr, origin: String) throws(RegistrarError) -> PublicKeyInfo {
        do {
            let file = try RSAKeyFile.load(sexp.canonical)
            return PublicKeyInfo(principal: Principal(key: file), rsa: file.publicKey, algorithm: "rsa-\(file.publicKey.bitLength)",
                                 sshLine: nil, origin: origin)
        } catch {
            throw RegistrarError(.malformed, "the key of \(origin) is not a usable RSA public key: \(error.message)")
        }
    }
}
