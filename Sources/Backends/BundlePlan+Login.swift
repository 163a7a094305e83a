import SExpr
import SPKI

extension BundlePlan {
    /// A user's right to log into a VM.
    public struct Login: Sendable {
        public var vm: String
        public var user: String
        /// The user's OpenSSH public key line (`ssh-rsa AAAA… comment`), when the user's key
        /// is an SSH key or one is declared; `nil` otherwise.
        public var sshPublicKey: String?
        /// The canonical bytes of the chain that proves the right: a `(sequence …)` of certs
        /// and signatures, as the user presents it to the VM. `authorized.sexp` is written
        /// from them (`AuthorizedFile`), so a planner that holds the certs' and signatures'
        /// canonical bytes assembles the chain without making `SExpr` values.
        public var chainCanonical: [UInt8]
        public var notBefore: SPKIDate?
        /// When the right ends: the agent removes the key and closes the sessions then.
        public var expires: SPKIDate

        /// The chain as a value (parsed from `chainCanonical`; setting it replaces them).
        public var chain: SExpr {
            get { (try? SExprParser(options: .init(canonicalOnly: true)).parseOne(chainCanonical)) ?? .list([]) }
            set { chainCanonical = newValue.canonical }
        }

        public init(vm: String, user: String, sshPublicKey: String? = nil, chain: SExpr, notBefore: SPKIDate? = nil, expires: SPKIDate) {
            self.init(vm: vm, user: user, sshPublicKey: sshPublicKey, chainCanonical: chain.canonical, notBefore: notBefore, expires: expires)
        }

        /// As above, the chain given by its canonical bytes (one `(sequence …)` expression).
        public init(vm: String, user: String, sshPublicKey: String? = nil, chainCanonical: [UInt8], notBefore: SPKIDate? = nil,
                    expires: SPKIDate) {
            self.vm = vm
            self.user = user
            self.sshPublicKey = sshPublicKey
            self.chainCanonical = chainCanonical
            self.notBefore = notBefore
            self.expires = expires
        }

        /// `(sequence ITEM…)` in canonical form from the items' canonical bytes.
        public static func sequenceCanonical(_ items: [[UInt8]]) -> [UInt8] {
            let head: [UInt8] = Array("(8:sequence".utf8)
            var out: [UInt8] = []
            out.reserveCapacity(items.reduce(head.count + 1) { $0 + $1.count })
            out += head
            for item in items { out += item }
            out.append(UInt8(ascii: ")"))
            return out
        }
    }
}
