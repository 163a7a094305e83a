import SExpr

extension SPKISignature {
    /// The canonical bytes of `sexp`, written straight from the fields:
    /// `(9:signature(4:hash6:sha25632:H)PRINCIPAL(16:rsa-pkcs1-sha256256:S))`.
    public var canonicalBytes: [UInt8] { canonicalBytes(principalCanonical: principal.canonical) }

    /// `canonicalBytes` given `principal.canonical` (`principalCanonical`), for a caller
    /// that writes many signatures by the same principal.
    public func canonicalBytes(principalCanonical: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(signature.count + digest.count + principalCanonical.count + 64)
        out += Array("(9:signature(4:hash".utf8)
        Self.append(Array(hash.spkiName.utf8), to: &out)
        Self.append(digest, to: &out)
        out.append(0x29)
        out += principalCanonical
        out.append(0x28)
        Self.append(Array(algorithm.utf8), to: &out)
        Self.append(signature, to: &out)
        out += [0x29, 0x29]
        return out
    }

    /// `n:bytes`.
    private static func append(_ bytes: [UInt8], to out: inout [UInt8]) {
        out += Array(String(bytes.count).utf8)
        out.append(0x3A)
        out += bytes
    }
}
