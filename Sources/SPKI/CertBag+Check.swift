#if canImport(Glibc)
import Glibc
#endif
import Hashing
import RSA
import SExpr

extension CertBag.Builder {
    /// The statuses of the signed certs `work` (bag index, issuer key as matched), in
    /// that order, verified on up to `workers` threads (see `build(checkSignatures:workers:)`).
    static func verify(_ work: [(index: Int, key: KeyStore.Entry?)], in entries: [CertBag.Entry], keys: KeyStore,
                       workers: Int?) -> [CertBag.SignatureStatus] {
        ParallelMap.map(work.count, workers: workers) { position in
            let entry = entries[work[position].index]
            return check(cert: entry.cert, signature: entry.signature!, issuerKey: work[position].key, keys: keys)
        }
    }

    /// Checks the signature found for a cert (by the digest of its signed bytes): the
    /// signer it names must be the issuer, its algorithm word must match its hash, and
    /// the RSA signature must verify with the issuer's key.
    static func check(cert: Cert, signature: SPKISignature?, keys: KeyStore) -> CertBag.SignatureStatus {
        guard let signature else { return .missing }
        return check(cert: cert, signature: signature, issuerKey: keys.key(for: cert.issuer.principal), keys: keys)
    }

    /// The same check with the issuer's key already looked up (`nil`: unknown), as the
    /// parallel check does: the key is taken when the cert is matched, in input order,
    /// and `keys` only resolves a signer written differently from the issuer. Pure: safe
    /// to run for several certs at once.
    static func check(cert: Cert, signature: SPKISignature, issuerKey: KeyStore.Entry?, keys: KeyStore) -> CertBag.SignatureStatus {
        guard let key = issuerKey else { return .keyUnknown }
        // The same key may be written with another algorithm word (`rsa-pkcs1`): compare
        // the numbers then.
        let sameKey: Bool
        if signature.principal.sameValue(as: cert.issuer.principal.sexp) || signature.principal.sameValue(as: key.principal.sexp) {
            sameKey = true
        } else if let signer = try? Principal(parsing: signature.principal) {
            if signer.resolved(in: keys).id == key.id {
                sameKey = true
            } else if signer.isKey, let numbers = try? RSASExpr.decode(signer.sexp).publicKey {
                sameKey = numbers == key.publicKey
            } else {
                sameKey = false
            }
        } else {
            sameKey = false
        }
        guard sameKey else {
            return .invalid(reason: "the signature is by another key than the issuer's")
        }
        let named: HashAlgorithm?
        switch signature.algorithm {
        case "rsa-pkcs1": named = signature.hash
        case "rsa-pkcs1-sha256": named = .sha256
        case "rsa-pkcs1-sha512": named = .sha512
        case "rsa-pkcs1-sha1": named = .sha1
        case "rsa-pkcs1-md5": named = .md5
        default: named = nil
        }
        guard let named else {
            return .invalid(reason: "the signature algorithm `\(signature.algorithm)` is not supported (rsa-pkcs1-sha256, or rsa-pkcs1-sha1 and rsa-pkcs1-md5 for legacy objects)")
        }
        guard named == signature.hash else {
            return .invalid(reason: "the signature algorithm `\(signature.algorithm)` does not match its `(hash \(signature.hash.spkiName) …)`")
        }
        do {
            try key.publicKey.verify(signature: signature.signature, digest: signature.digest, hash: signature.hash)
        } catch {
            return .invalid(reason: "\(error.message) [\(error.code.rawValue)]")
        }
        return .verified(legacy: signature.hash.isLegacy ? signature.hash : nil)
    }
}

extension SExpr {
    /// `==` for the signer's key against the issuer's, written for speed: the same
    /// answer as the derived equality (lists item by item, atoms by their bytes and
    /// hints), with atoms compared by `memcmp` (a key's modulus is 256 bytes or more).
    func sameValue(as other: SExpr) -> Bool {
        switch self {
        case .atom(let a):
            guard case .atom(let b) = other else { return false }
            return Self.sameBytes(a.bytes, b.bytes) && a.hint == b.hint
        case .list(let a):
            guard case .list(let b) = other, a.count == b.count else { return false }
            // The same storage (the signer's key read as the issuer's, shared by the
            // document reader): equal without looking at the items.
            if Self.sameStorage(a, b) { return true }
            for index in a.indices where !a[index].sameValue(as: b[index]) { return false }
            return true
        }
    }

    /// Whether two arrays of the same count share one buffer (then they are equal).
    private static func sameStorage<T>(_ a: [T], _ b: [T]) -> Bool {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress } }
    }

    private static func sameBytes(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty || sameStorage(a, b) { return true }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 }
        }
    }
}
