import SExpr

/// The text an epoch records, rendered straight from canonical bytes: the certs'
/// `(sequence CERT SIGNATURE)` assembled from the planned cert's canonical bytes and its
/// signature's, and the chain documents and templates assembled from those, each laid
/// out once by `AdvancedPrinter.print(canonical:)`. No `SExpr` tree is built or flattened;
/// the bytes are those of `chainDocument(...).advanced()`, `encode(templates)
/// .advanced(width: 0)` and `body.advanced(width: 0)` (`EpochTextTests`).
extension EpochIssue {
    /// `(8:sequence CERT SIGNATURE)`.
    static func sequenceCanonical(cert: [UInt8], signature: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(cert.count + signature.count + 12)
        out += sequenceHead
        out += cert
        out += signature
        out.append(0x29)
        return out
    }

    static let sequenceHead: [UInt8] = Array("(8:sequence".utf8)

    /// The advanced form of the expression `canonical` encodes.
    static func text(canonical: [UInt8], width: Int) -> String {
        do {
            return try AdvancedPrinter(width: width).text(canonical: canonical)
        } catch {
            // Only ever given bytes this module assembled from canonical parts.
            preconditionFailure("the registrar assembled bytes that are not one canonical expression: \(error)")
        }
    }

    /// The canonical bytes of `chainDocument(vpxi:user:epoch:templates:certs:)` from the
    /// certs' canonical bodies (`IssuedCert.canonical`, or `body.canonical` when unknown).
    static func chainDocumentCanonical(vpxi: String, user: String, epoch: Int, templates: [ChainTemplate],
                                       aclCanonical: (ChainTemplate) -> [UInt8],
                                       certs: [String: (canonical: [UInt8], signed: Bool)]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(1024 * max(1, templates.count))
        out += Array("(6:chains(4:vpxi".utf8)
        appendAtom(vpxi, to: &out)
        out += Array(")(4:user".utf8)
        appendAtom(user, to: &out)
        out += Array(")(5:epoch".utf8)
        appendAtom(String(epoch), to: &out)
        out.append(0x29)
        for template in templates {
            out += Array("(13:machine-chain(7:machine".utf8)
            appendAtom(template.machine, to: &out)
            out.append(0x29)
            out += aclCanonical(template)
            out += sequenceHead
            var pending: [[UInt8]] = []
            for hash in template.certs {
                guard let cert = certs[hash] else { continue }
                if !cert.signed {
                    pending.append(cert.canonical)
                } else if cert.canonical.starts(with: sequenceHead) {
                    out += cert.canonical[sequenceHead.count..<cert.canonical.count - 1]
                } else {
                    out += cert.canonical
                }
            }
            out.append(0x29)
            for body in pending {
                out += Array("(7:pending".utf8)
                out += body
                out.append(0x29)
            }
            out.append(0x29)
        }
        out.append(0x29)
        return out
    }

    /// The canonical bytes of `encode(templates)`.
    static func templatesCanonical(_ templates: [ChainTemplate], aclCanonical: (ChainTemplate) -> [UInt8]) -> [UInt8] {
        var out: [UInt8] = Array("(9:templates".utf8)
        for template in templates {
            out += Array("(1:t".utf8)
            appendAtom(template.machine, to: &out)
            out += aclCanonical(template)
            for hash in template.certs { appendAtom(hash, to: &out) }
            out.append(0x29)
        }
        out.append(0x29)
        return out
    }

    /// `n:bytes` for a string with no display hint.
    static func appendAtom(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            out += Array(String(bytes.count).utf8)
            out.append(0x3A)
            out.append(contentsOf: bytes)
        }
    }
}
