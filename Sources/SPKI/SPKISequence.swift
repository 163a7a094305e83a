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
    /// The items of a long sequence (16 or more) are read on every core, each on its own;
    /// the result is the same as reading them in order: items and warnings in input
    /// order, and the error of the first bad item.
    public init(parsing value: SExpr, warnings: inout [SPKIWarning]) throws(SPKIError) {
        if value.head == "sequence" {
            let values = Array(value.tail)
            let read = ParallelMap.map(values.count) { index -> (Result<Item, SPKIError>, [SPKIWarning]) in
                var itemWarnings: [SPKIWarning] = []
                do throws(SPKIError) {
                    return (.success(try Self.item(values[index], warnings: &itemWarnings)), itemWarnings)
                } catch {
                    return (.failure(error), itemWarnings)
                }
            }
            items = []
            items.reserveCapacity(read.count)
            for (index, (result, itemWarnings)) in read.enumerated() {
                warnings += itemWarnings
                switch result {
                case .success(let item): items.append(item)
                case .failure(let error):
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
