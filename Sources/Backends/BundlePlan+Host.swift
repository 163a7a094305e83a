import RSA
import SExpr

extension BundlePlan {
    /// The hypervisor a host runs.
    public enum Hypervisor: String, Sendable, CaseIterable {
        case kvm
        case xen
    }

    /// A physical host of the pool.
    public struct Host: Sendable {
        public var name: String
        /// The host's own key: the ESP keys in its bundle are wrapped to it, and the manifest
        /// names it, so that a bundle cannot be handed to another host.
        public var publicKey: RSAPublicKey
        public var publicKeySExpr: SExpr
        /// Where the host is reached, in order of preference (IPv4 or IPv6 text).
        public var locators: [String]
        public var hypervisor: Hypervisor
        /// The registrar the host is registered with: it signs the host's bundle.
        public var registrar: String
        /// Where VM disk images live; by default `/var/lib/libvirt/images` (KVM) or
        /// `/var/lib/xen/images` (Xen).
        public var imageDirectory: String?

        public init(name: String, publicKey: RSAPublicKey, publicKeySExpr: SExpr? = nil, locators: [String],
                    hypervisor: Hypervisor, registrar: String, imageDirectory: String? = nil) {
            self.name = name
            self.publicKey = publicKey
            self.publicKeySExpr = publicKeySExpr ?? RSASExpr.publicKey(publicKey)
            self.locators = locators
            self.hypervisor = hypervisor
            self.registrar = registrar
            self.imageDirectory = imageDirectory
        }

        /// The image directory in use.
        public var images: String {
            imageDirectory ?? (hypervisor == .xen ? "/var/lib/xen/images" : "/var/lib/libvirt/images")
        }
    }
}
