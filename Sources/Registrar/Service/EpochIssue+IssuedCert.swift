import SExpr
import Synchronization

extension EpochIssue {
    /// One cert an epoch issued. Certs issued from the plan are made from canonical bytes
    /// (`canonical`) without an `SExpr` tree: their `body` is parsed from
    /// `canonical` the first time something asks for it (once per cert), so that a renewal
    /// that only records and serves bytes never builds one.
    public struct IssuedCert: Sendable, Hashable {
        /// Lowercase hex SHA-256 of the cert's canonical bytes.
        public var hash: String
        public var flow: String
        public var machine: String
        public var issuer: String
        public var subject: String
        public var signed: Bool
        public var notAfter: Int64
        /// `body.advanced(width: 0)` when already known (an enrolled cert's, worked out once
        /// per kept vpxi), else nil. The certs table records `canonical` (migration 5).
        public var text: String?
        /// `body.canonical` when already known (assembled from the planned cert's canonical
        /// bytes and its signature's), else nil: the chain documents are rendered from it.
        public var canonical: [UInt8]?
        private var storedBody: Body

        /// `(sequence CERT SIGNATURE)` when signed, else the bare `(cert ...)`.
        public var body: SExpr {
            get { storedBody.value }
            set { storedBody = Body(newValue) }
        }

        /// Whether `body` is a `(sequence ...)` (a signed cert with its signature), known
        /// from the canonical bytes when they are.
        public var isSequence: Bool {
            if let canonical { return canonical.starts(with: EpochIssue.sequenceHead) }
            return body.head == "sequence"
        }

        public init(hash: String, flow: String, machine: String, issuer: String, subject: String, body: SExpr, signed: Bool,
                    notAfter: Int64, text: String? = nil, canonical: [UInt8]? = nil) {
            self.init(hash: hash, flow: flow, machine: machine, issuer: issuer, subject: subject, signed: signed, notAfter: notAfter,
                      text: text, canonical: canonical, storedBody: Body(body))
        }

        /// A cert known by its canonical bytes: `body` is parsed from them when asked for.
        init(hash: String, flow: String, machine: String, issuer: String, subject: String, canonical: [UInt8], signed: Bool,
             notAfter: Int64, text: String?) {
            self.init(hash: hash, flow: flow, machine: machine, issuer: issuer, subject: subject, signed: signed, notAfter: notAfter,
                      text: text, canonical: canonical, storedBody: Body(canonical: canonical))
        }

        private init(hash: String, flow: String, machine: String, issuer: String, subject: String, signed: Bool, notAfter: Int64,
                     text: String?, canonical: [UInt8]?, storedBody: Body) {
            (self.hash, self.flow, self.machine, self.issuer, self.subject) = (hash, flow, machine, issuer, subject)
            (self.signed, self.notAfter, self.text, self.canonical) = (signed, notAfter, text, canonical)
            self.storedBody = storedBody
        }

        public static func == (lhs: IssuedCert, rhs: IssuedCert) -> Bool {
            lhs.hash == rhs.hash && lhs.flow == rhs.flow && lhs.machine == rhs.machine && lhs.issuer == rhs.issuer
                && lhs.subject == rhs.subject && lhs.signed == rhs.signed && lhs.notAfter == rhs.notAfter && lhs.text == rhs.text
                && lhs.canonical == rhs.canonical && lhs.body == rhs.body
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(self.hash)
            hasher.combine(flow)
            hasher.combine(machine)
            hasher.combine(signed)
            hasher.combine(notAfter)
            hasher.combine(body)
        }

        /// The body, given or parsed once from canonical bytes.
        final class Body: Sendable {
            private let canonical: [UInt8]?
            private let parsed: Mutex<SExpr?>

            init(_ value: SExpr) {
                canonical = nil
                parsed = Mutex(value)
            }

            init(canonical: [UInt8]) {
                self.canonical = canonical
                parsed = Mutex(nil)
            }

            var value: SExpr {
                if let known = parsed.withLock({ $0 }) { return known }
                let value: SExpr
                do {
                    value = try SExpr.parse(canonical ?? [], options: .init(canonicalOnly: true))
                } catch {
                    // Only ever given bytes the registrar assembled from canonical parts.
                    preconditionFailure("an issued cert's canonical bytes do not parse: \(error)")
                }
                parsed.withLock { $0 = value }
                return value
            }
        }
    }
}
