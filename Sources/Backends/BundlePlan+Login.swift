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
        /// The chain that proves the right: a `(sequence …)` of certs and signatures, as the
        /// user presents it to the VM.
        public var chain: SExpr
        public var notBefore: SPKIDate?
        /// When the right ends: the agent removes the key and closes the sessions then.
        public var expires: SPKIDate

        public init(vm: String, user: String, sshPublicKey: String? = nil, chain: SExpr, notBefore: SPKIDate? = nil, expires: SPKIDate) {
            self.vm = vm
            self.user = user
            self.sshPublicKey = sshPublicKey
            self.chain = chain
            self.notBefore = notBefore
            self.expires = expires
        }
    }
}
