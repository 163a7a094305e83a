import RSA
import SExpr
import SPKI

/// Everything the back ends need to write one bundle per physical host: the input of
/// `BundleBuilder`. It is a plain value the compiler fills from its VPXI IR and placement
/// (or a test fills by hand); `BundleBuilder` checks it before using it.
///
/// Names (hosts, VMs, VPXIs, registrars) are 1 to 63 characters of `A-Z a-z 0-9 . _ -`,
/// starting with a letter or digit: they become folder, file and DNS owner names. VM names
/// are unique across the whole plan (qualify them with the VPXI when two VPXIs reuse one).
public struct BundlePlan: Sendable {
    /// The time of compilation (`--at`): written into every manifest, so that an agent can
    /// refuse a bundle older than the one it runs.
    public var generatedAt: SPKIDate
    /// How HITs are computed: ORCHIDv2 (RFC 7343, the default) or ORCHIDv1 (RFC 4843).
    public var hitVersion: ORCHIDVersion
    /// The registrars that sign bundles; each host names the one it is registered with.
    public var registrars: [Registrar]
    /// The physical hosts: one bundle each, even when no VM runs there.
    public var hosts: [Host]
    public var vpxis: [VPXI]
    public var vms: [VM]
    public var links: [Link]
    /// Who may log into which VM.
    public var logins: [Login]
    /// The capacity of a VM's disk volume when the VM declares none.
    public var defaultDiskBytes: UInt64
    /// How far ahead of `generatedAt` the ESP schedules reach, in seconds: when set, only
    /// the epochs that overlap `generatedAt ..< generatedAt + keyHorizon` get SAs (set it
    /// to the certificate lifetime: the keys then last as long as the certificates issued
    /// by the same run). `nil`, the default, gives every epoch of every window.
    public var keyHorizon: Int64?

    public init(generatedAt: SPKIDate, hitVersion: ORCHIDVersion = .v2, registrars: [Registrar], hosts: [Host],
                vpxis: [VPXI], vms: [VM], links: [Link] = [], logins: [Login] = [], defaultDiskBytes: UInt64 = 10 << 30,
                keyHorizon: Int64? = nil) {
        self.generatedAt = generatedAt
        self.hitVersion = hitVersion
        self.registrars = registrars
        self.hosts = hosts
        self.vpxis = vpxis
        self.vms = vms
        self.links = links
        self.logins = logins
        self.defaultDiskBytes = defaultDiskBytes
        self.keyHorizon = keyHorizon
    }

    /// A registrar: signs the manifests of the hosts registered with it.
    public struct Registrar: Sendable {
        public var name: String
        public var publicKey: RSAPublicKey
        /// The public key as certificates name it (kept as received); by default the
        /// normal form `(public-key (rsa-pkcs1-sha256 (n …) (e …)))`.
        public var publicKeySExpr: SExpr
        /// The private key, needed to sign the bundles of its hosts.
        public var signingKey: RSAPrivateKey?

        public init(name: String, publicKey: RSAPublicKey, publicKeySExpr: SExpr? = nil, signingKey: RSAPrivateKey? = nil) {
            self.name = name
            self.publicKey = publicKey
            self.publicKeySExpr = publicKeySExpr ?? RSASExpr.publicKey(publicKey)
            self.signingKey = signingKey
        }

        /// A registrar that can sign, from its private key.
        public init(name: String, signingKey: RSAPrivateKey) {
            self.init(name: name, publicKey: signingKey.publicKey, signingKey: signingKey)
        }
    }
}
