import RSA
import SExpr

extension BundlePlan {
    /// A virtual machine, placed on a host.
    public struct VM: Sendable {
        public var name: String
        public var vpxi: String
        public var host: String
        /// The VM's own key (paper section 4.1): its Host Identity, from which its HIT comes.
        public var publicKey: RSAPublicKey
        public var publicKeySExpr: SExpr
        public var cpus: Int
        public var memoryBytes: UInt64
        /// The capacity of its disk volume; the plan's `defaultDiskBytes` when absent.
        public var diskBytes: UInt64?
        /// The base image: a name (`debian-etch-amd64`, the file `NAME.qcow2` in the host's
        /// image directory) or an absolute path. Without one the disk starts blank.
        public var image: String?

        public init(name: String, vpxi: String, host: String, publicKey: RSAPublicKey, publicKeySExpr: SExpr? = nil,
                    cpus: Int, memoryBytes: UInt64, diskBytes: UInt64? = nil, image: String? = nil) {
            self.name = name
            self.vpxi = vpxi
            self.host = host
            self.publicKey = publicKey
            self.publicKeySExpr = publicKeySExpr ?? RSASExpr.publicKey(publicKey)
            self.cpus = cpus
            self.memoryBytes = memoryBytes
            self.diskBytes = diskBytes
            self.image = image
        }
    }
}
