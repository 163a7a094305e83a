import Hashing
import SExpr

/// An SPKI signature object:
/// `(signature (hash ALG |H|) PRINCIPAL (rsa-pkcs1-ALG |S|))`, where H is the ALG digest of
/// the canonical bytes of the signed expression, PRINCIPAL is the signer's public key (or
/// its `(hash ...)`), and S is the RSASSA-PKCS1-v1_5 signature of H with the DigestInfo of
/// ALG.
public struct SPKISignature: Sendable {
    public var hash: HashAlgorithm
    public var digest: [UInt8]
    public var principal: SExpr
    /// The signature algorithm word, `rsa-pkcs1-sha256` for example.
    public var algorithm: String
    public var signature: [UInt8]

    /// The signature algorithm word for a hash.
    public static func algorithmWord(_ hash: HashAlgorithm) -> String { "rsa-pkcs1-\(hash.spkiName)" }

    /// Signs `canonical` (the canonical bytes of an expression) with `signer`, naming the
    /// signer by its public key S-expression.
    public static func sign(canonical: [UInt8], signer: RSASigner, principal: SExpr,
                            hash: HashAlgorithm = .sha256, allowLegacyHash: Bool = false) throws(RSAError) -> SPKISignature {
        let digest = hash.digest(canonical)
        let signature = try signer.sign(digest: digest, hash: hash, allowLegacyHash: allowLegacyHash)
        return SPKISignature(hash: hash, digest: digest, principal: principal, algorithm: algorithmWord(hash), signature: signature)
    }

    public init(hash: HashAlgorithm, digest: [UInt8], principal: SExpr, algorithm: String, signature: [UInt8]) {
        self.hash = hash
        self.digest = digest
        self.principal = principal
        self.algorithm = algorithm
        self.signature = signature
    }

    /// The S-expression.
    public var sexp: SExpr {
        ["signature", ["hash", .string(hash.spkiName), .bytes(digest)], principal, [.string(algorithm), .bytes(signature)]]
    }

    /// Reads a `(signature ...)` object. Structural problems are `sexpMalformed`.
    public init(parsing value: SExpr) throws(RSAError) {
        let shape = "a signature is `(signature (hash ALG |H|) PRINCIPAL (rsa-pkcs1-ALG |S|))`"
        guard value.head == "signature" else {
            throw RSAError(.sexpMalformed, "expected a `(signature …)` object, found `\(value.head.map { "(\($0) …)" } ?? "an atom or empty list")`",
                           help: shape)
        }
        let parts = Array(value.tail)
        guard parts.count == 3 else {
            throw RSAError(.sexpMalformed, "a `(signature …)` has 3 parts after its head, this one has \(parts.count)", help: shape)
        }
        let hashExpr = parts[0]
        let hashParts = Array(hashExpr.tail)
        guard hashExpr.head == "hash", hashParts.count == 2, let name = hashParts[0].text, let digest = hashParts[1].atomBytes else {
            throw RSAError(.sexpMalformed, "the first part of the signature must be `(hash ALG |H|)`", help: shape)
        }
        guard let hash = HashAlgorithm(name: name) else {
            throw RSAError(.sexpMalformed, "unknown hash algorithm `\(name)` in the signature",
                           help: "one of \(HashAlgorithm.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard digest.count == hash.digestLength else {
            throw RSAError(.sexpMalformed, "the \(name) hash in the signature is \(digest.count) bytes, not \(hash.digestLength)")
        }
        let principal = parts[1]
        guard principal.head == "public-key" || principal.head == "hash" else {
            throw RSAError(.sexpMalformed, "the second part of the signature must be the signer's `(public-key …)` or its `(hash …)`", help: shape)
        }
        let value = parts[2]
        guard let algorithm = value.head, value.tail.count == 1, let signature = value.tail.first?.atomBytes else {
            throw RSAError(.sexpMalformed, "the third part of the signature must be `(rsa-pkcs1-ALG |S|)`", help: shape)
        }
        self.init(hash: hash, digest: digest, principal: principal, algorithm: algorithm, signature: signature)
    }

    /// Verifies that this signature covers `canonical` and was made by `key`.
    /// Every failure is an error whose `isVerificationFailure` is true, with the reason.
    public func verify(canonical: [UInt8], key: RSAKeyFile) throws(RSAError) {
        guard ConstantTime.equal(hash.digest(canonical), digest) else {
            throw RSAError(.contentHashMismatch, "the signed \(hash.spkiName) hash does not match the content: the content was changed or is another object",
                           help: "check that you verify the same expression that was signed")
        }
        let signedHash: HashAlgorithm
        switch algorithm {
        case "rsa-pkcs1": signedHash = hash
        case "rsa-pkcs1-sha256": signedHash = .sha256
        case "rsa-pkcs1-sha512": signedHash = .sha512
        case "rsa-pkcs1-sha1": signedHash = .sha1
        case "rsa-pkcs1-md5": signedHash = .md5
        default:
            throw RSAError(.unsupportedAlgorithm, "the signature algorithm `\(algorithm)` is not supported",
                           help: "RSA signatures are `rsa-pkcs1-sha256`, `rsa-pkcs1-sha512`, or legacy `rsa-pkcs1-sha1` and `rsa-pkcs1-md5`")
        }
        guard signedHash == hash else {
            throw RSAError(.algorithmMismatch, "the signature algorithm `\(algorithm)` does not match its `(hash \(hash.spkiName) …)`")
        }
        try checkPrincipal(key)
        try key.publicKey.verify(signature: signature, digest: digest, hash: hash)
    }

    /// The principal must name `key`: the same RSA key, or the hash of its principal bytes
    /// (as received, or in normal form).
    func checkPrincipal(_ key: RSAKeyFile) throws(RSAError) {
        let mismatch = RSAError(.principalMismatch, "the signature names another signer than the key it is checked with",
                                help: "verify with the key of the signer named in the signature")
        if principal.head == "hash" {
            let parts = Array(principal.tail)
            guard parts.count == 2, let name = parts[0].text, let algorithm = HashAlgorithm(name: name),
                  let digest = parts[1].atomBytes else {
                throw RSAError(.sexpMalformed, "the signer's `(hash …)` must be `(hash ALG |H|)`")
            }
            // The hash of the key as the verifier received it, or of its normal form
            // (the same RSA key read from PEM or OpenSSH).
            guard digest == algorithm.digest(key.principalBytes)
                    || digest == algorithm.digest(RSASExpr.publicKey(key.publicKey).canonical) else { throw mismatch }
            return
        }
        let named: RSASExpr.Decoded
        do {
            named = try RSASExpr.decode(principal)
        } catch {
            throw RSAError(.sexpMalformed, "the signer's public key in the signature is malformed: \(error.message)")
        }
        guard named.publicKey == key.publicKey else { throw mismatch }
    }
}
