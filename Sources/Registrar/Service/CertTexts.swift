import SExpr
import Synchronization

/// The text the certs table records for each cert an epoch signs, `(sequence CERT
/// SIGNATURE)` in advanced form on one line (`advanced(width: 0)`), made without laying
/// out the whole cert every epoch. On one line the advanced form is compositional: a list
/// is `(`, its elements' texts joined by one space, `)`. A planned cert's canonical bytes
/// are the same from one epoch to the next up to its last field (the validity, the only
/// field an epoch changes), so the text of that prefix (issuer and subject keys, tag:
/// nearly all of it) is laid out once per cert of the plan and kept with the compiled vpxi
/// (`DerivedValues`); an epoch lays out only the last field and the signature. A cert whose
/// bytes do not start with the kept prefix (another cert at that place of the plan) is laid
/// out whole and its prefix kept instead. The text is byte for byte
/// `AdvancedPrinter(width: 0)` of the whole (`CertTextsTests`).
final class CertTexts: Sendable {
    struct Prefix: Sendable {
        /// The cert's canonical bytes up to its last field.
        var bytes: [UInt8]
        /// The advanced text of those elements: `(cert E1 E2 ...` (no closing parenthesis).
        var text: [UInt8]
    }

    private let prefixes = Mutex<[Int: Prefix]>([:])

    init() {}

    /// `(sequence CERT SIGNATURE)` in advanced form, given the cert's canonical bytes (the
    /// `index`th cert of the plan) and the signature's.
    func sequenceText(cert: [UInt8], signature: [UInt8], index: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(cert.count + signature.count + 64)
        out += Self.sequenceOpen
        appendCertText(cert, index: index, to: &out)
        out.append(0x20)
        out += Self.print(signature)
        out.append(0x29)
        return String(decoding: out, as: UTF8.self)
    }

    /// The bare cert's advanced form.
    func certText(_ cert: [UInt8], index: Int) -> String {
        var out: [UInt8] = []
        appendCertText(cert, index: index, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private func appendCertText(_ cert: [UInt8], index: Int, to out: inout [UInt8]) {
        if let prefix = prefixes.withLock({ $0[index] }), let rest = Self.rest(of: cert, after: prefix.bytes) {
            // `(` + the last elements + `)` laid out alone: their texts joined by spaces.
            var wrapped: [UInt8] = [0x28]
            wrapped += rest
            wrapped.append(0x29)
            if let inner = try? AdvancedPrinter(width: 0).print(canonical: wrapped) {
                out += prefix.text
                if inner.count > 2 {
                    out.append(0x20)
                    out += inner[1 ..< inner.count - 1]
                }
                out.append(0x29)
                return
            }
        }
        out += Self.print(cert)
        if let prefix = Self.prefix(of: cert) { prefixes.withLock { $0[index] = prefix } }
    }

    /// The bytes of `cert` between `prefix` and its final `)`, when `cert` starts with
    /// `prefix`.
    static func rest(of cert: [UInt8], after prefix: [UInt8]) -> ArraySlice<UInt8>? {
        guard cert.count > prefix.count, cert.last == 0x29 else { return nil }
        let same = cert.withUnsafeBytes { c in
            prefix.withUnsafeBytes { p in c.prefix(p.count).elementsEqual(p) }
        }
        return same ? cert[prefix.count ..< cert.count - 1] : nil
    }

    /// The prefix of a cert's canonical bytes (a list of at least two elements) up to its
    /// last element, with its text; nil when it is not such a list.
    static func prefix(of cert: [UInt8]) -> Prefix? {
        guard let document = try? SExprParser(options: .init(canonicalOnly: true)).parse(cert), document.rootCount == 1,
              document.isList(0), document.childCount(0) >= 2 else { return nil }
        var child = 1
        var last = 1
        let end = document.subtreeEnd(0)
        while child < end {
            last = child
            child = document.subtreeEnd(child)
        }
        guard let range = document.canonicalRange(last) else { return nil }
        let bytes = Array(cert[..<range.lowerBound])
        guard var text = try? AdvancedPrinter(width: 0).print(canonical: bytes + [0x29]) else { return nil }
        text.removeLast()
        return Prefix(bytes: bytes, text: text)
    }

    static func print(_ canonical: [UInt8]) -> [UInt8] {
        do {
            return try AdvancedPrinter(width: 0).print(canonical: canonical)
        } catch {
            // Only ever given bytes the registrar assembled from canonical parts.
            preconditionFailure("the registrar assembled bytes that are not one canonical expression: \(error)")
        }
    }

    static let sequenceOpen: [UInt8] = Array("(sequence ".utf8)
}
