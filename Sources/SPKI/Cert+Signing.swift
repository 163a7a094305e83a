import Hashing
import RSA

extension Cert {
    /// Signs the cert's canonical bytes with `key` (which must be the issuer's private key),
    /// naming the signer by its public key.
    public func sign(with key: RSAKeyFile, hash: HashAlgorithm = .sha256) throws(SPKIError) -> SPKISignature {
        guard Principal(key: key).id == issuer.principal.id else {
            throw SPKIError(.badSignature, "the signing key is not the cert's issuer", field: "issuer",
                            help: "sign with the issuer's private key, or make the issuer the signing key's principal")
        }
        do {
            let signer = try RSASigner(key: try key.requirePrivateKey())
            return try SPKISignature.sign(canonical: signedBytes, signer: signer, principal: key.publicKeySExpr, hash: hash)
        } catch {
            throw SPKIError(.badKey, error.message, help: error.help)
        }
    }
}
