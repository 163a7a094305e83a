import Diagnostics
import SPKI

extension PolicyModel {
    /// Rights given to a user on machines of a vpxi.
    public struct Grant: Sendable {
        /// Index into `users`.
        public var user: Int
        /// The user who delegates (index into `users`), for a `via` grant.
        public var via: Int?
        public var rights: [Right]
        /// The rights as an SPKI tag (a set, normalised): what a certificate for this
        /// grant carries inside its resource's tag.
        public var rightsTag: Tag
        /// Indices into the vpxi's `machines`, ascending, each once.
        public var targets: [Int]
        /// The vpxi's window, narrowed by `during`.
        public var window: TimeWindow
        public var range: SourceRange
    }

    /// An access right as written: `ssh`, `file(read, "/data")`, `*`.
    public struct Right: Sendable, Hashable, CustomStringConvertible {
        public enum Argument: Sendable, Hashable {
            case name(String)
            case text(String)
        }

        /// The right's name; `*` for every right.
        public var name: String
        /// nil without parentheses.
        public var arguments: [Argument]?

        public init(name: String, arguments: [Argument]?) {
            self.name = name
            self.arguments = arguments
        }

        public var description: String {
            guard let arguments else { return name }
            let inner = arguments.map { argument -> String in
                switch argument {
                case .name(let word): return word
                case .text(let text): return "\"\(text)\""
                }
            }
            return "\(name)(\(inner.joined(separator: ", ")))"
        }
    }

    /// `expect USER can|cannot RIGHT on TARGET [at TIME]`, resolved.
    public struct Expectation: Sendable {
        /// Index into `users`.
        public var user: Int
        public var allowed: Bool
        public var right: Right
        /// The machines named by the target (every member of a cluster target), indices
        /// into the vpxi's `machines`.
        public var targets: [Int]
        /// The target as written, for reports.
        public var targetText: String
        /// Seconds since the epoch; nil: the compilation time.
        public var at: Int64?
        public var range: SourceRange
    }
}
