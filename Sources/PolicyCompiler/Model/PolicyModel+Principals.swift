import Diagnostics

extension PolicyModel {
    /// A HIPerNet registrar, named by its public key.
    public struct Registrar: Sendable {
        public var name: String
        public var key: PublicKeyInfo
        /// The declaration.
        public var range: SourceRange
    }

    /// A trust community.
    public struct Community: Sendable {
        public var name: String
        public var range: SourceRange
    }

    /// A person, named by a public key.
    public struct User: Sendable {
        public var name: String
        public var key: PublicKeyInfo
        /// Indices into `communities`.
        public var communities: [Int]
        public var clearance: Level?
        public var range: SourceRange
    }
}
