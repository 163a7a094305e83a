import Hashing
import RSA
import SExpr

/// `(sequence ...)`: what a requester presents: certs, the keys needed to check them, their
/// signatures, and `(do hash ALG)` operations (draft §7).
///
/// A signature covers the canonical bytes of an object it names by hash; in a sequence it
/// follows the cert it signs.
public struct SPKISequence: Sendable {
    public enum Item: Sendable {
        case cert(Cert)
        case publicKey(Principal)
        case signature(SPKISignature)
        /// `(do hash ALG)`: hash the preceding object (kept, not needed to verify).
        case doHash(HashAlgorithm)

        public var sexp: SExpr {
            switch self {
            case .cert(let cert): return cert.source ?? cert.sexp
            case .publicKey(let principal): return principal.sexp
            case .signature(let signature): return signature.sexp
            case .doHash(let algorithm): return ["do", "hash", .string(algorithm.spkiName)]
            }
        }
    }

    public var items: [Item]

    public init(items: [Item]) { self.items = items }

    public var sexp: SExpr { .list(["sequence"] + items.map(\.sexp)) }

    /// Reads a `(sequence ...)`, or a single cert, key or signature as a sequence of one.
    ///
    /// On one thread: reading the items on every core (`ParallelMap`) was measured slower
    /// on the shared 2-core machine, 18–29 ms of wall time against 12–13 ms for a
    /// 1,000-link chain (allocation-heavy work, see Docs/performance.md).
    public init(parsing value: SExpr, warnings: inout [SPKIWarning]) throws(SPKIError) {
        if value.head == "sequence" {
            items = []
            for (index, item) in value.tail.enumerated() {
                do {
                    items.append(try Self.item(item, warnings: &warnings))
                } catch {
                    throw SPKIError(error.code, "item \(index + 1) of the sequence: \(error.message)", field: error.field, help: error.help)
                }
            }
        } else {
            items = [try Self.item(value, warnings: &warnings)]
        }
    }

    static func item(_ value: SExpr, warnings: inout [SPKIWarning]) throws(SPKIError) -> Item {
        switch value.head {
        case "cert":
            return .cert(try Cert(parsing: value, warnings: &warnings))
        case "public-key":
            return .publicKey(try Principal(parsing: value))
        case "signature":
            do {
                return .signature(try SPKISignature(parsing: value))
            } catch {
                throw SPKIError(.badSignature, error.message, field: "signature", help: error.help)
            }
        case "do":
            let parts = Array(value.tail)
            guard parts.count == 2, parts[0].text == "hash", let name = parts[1].text, let algorithm = HashAlgorithm(name: name) else {
                throw SPKIError(.badSequence, "an operation is `(do hash ALG)`, found \(Describe.clip(value.description))", field: "do")
            }
            return .doHash(algorithm)
        default:
            throw SPKIError(.badSequence, "a sequence holds certs, public keys, signatures and `(do hash ALG)`, found \(Describe.shape(value))",
                            help: "ACLs are given separately (--acl)")
        }
    }
}
