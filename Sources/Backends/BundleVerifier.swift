import Hashing
import RSA
import SExpr

/// Checks that a bundle is whole and authentic: the registrar's signature of the manifest,
/// then every file against its size and SHA-256, with nothing missing and nothing extra.
/// Pure: it works on the files as a map from relative path to bytes (`BundleReader` reads a
/// folder into one), so the agent can check a bundle before anything of it is used.
public enum BundleVerifier {
    /// The verified manifest, or the first reason the bundle is refused.
    ///
    /// - Parameters:
    ///   - files: every file of the host's folder, by relative path.
    ///   - registrar: the key of the registrar the host is registered with.
    ///   - host: when given, the manifest must be for this host name.
    ///   - hostKey: when given, the manifest must name this host key.
    public static func verify(files: [String: [UInt8]], registrar: RSAKeyFile, host: String? = nil,
                              hostKey: RSAPublicKey? = nil) throws(BackendsError) -> BundleManifest {
        guard let manifestBytes = files[BundleManifest.fileName] else {
            throw BackendsError(.manifestMissing, "the bundle has no `\(BundleManifest.fileName)`")
        }
        guard let signatureBytes = files[BundleManifest.signatureFileName] else {
            throw BackendsError(.signatureMissing, "the bundle has no `\(BundleManifest.signatureFileName)`")
        }
        let manifestValue: SExpr
        do {
            manifestValue = try SExpr.parse(manifestBytes)
        } catch {
            throw BackendsError(.manifestMalformed, "`\(BundleManifest.fileName)` is not one S-expression: \(error.message) at \(error.line):\(error.column)")
        }
        guard manifestValue.canonical == manifestBytes else {
            throw BackendsError(.manifestMalformed, "`\(BundleManifest.fileName)` is not in canonical form, so it is not what was signed")
        }
        do {
            let signatureValue = try SExpr.parse(signatureBytes)
            guard signatureValue.canonical == signatureBytes else {
                throw BackendsError(.signatureInvalid, "`\(BundleManifest.signatureFileName)` is not in canonical form")
            }
            let signature = try SPKISignature(parsing: signatureValue)
            try signature.verify(canonical: manifestValue.canonical, key: registrar)
        } catch let error as BackendsError {
            throw error
        } catch let error as RSAError where error.code == .principalMismatch {
            throw BackendsError(.signatureInvalid, "the manifest is signed by another key than the registrar's key it is checked with",
                                help: "check with the key of the registrar the bundle came from, since each registrar signs its own hosts' bundles; otherwise the bundle was re-signed by someone else")
        } catch let error as RSAError {
            throw BackendsError(.signatureInvalid, "the manifest signature does not verify with the registrar's key: \(error.message)",
                                help: "the bundle was changed, or signed by another registrar")
        } catch {
            throw BackendsError(.signatureInvalid, "`\(BundleManifest.signatureFileName)` is not an SPKI signature")
        }
        let manifest = try BundleManifest(parsing: manifestValue)
        guard let named = try? RSASExpr.decode(manifest.registrarKey).publicKey, named == registrar.publicKey else {
            throw BackendsError(.signatureInvalid, "the manifest names another registrar key than the one that signed it")
        }
        if let host, manifest.host != host {
            throw BackendsError(.wrongHost, "the bundle is for host `\(manifest.host)`, not `\(host)`")
        }
        if let hostKey {
            guard let named = try? RSASExpr.decode(manifest.hostKey).publicKey, named == hostKey else {
                throw BackendsError(.wrongHost, "the bundle is for another host key than this host's")
            }
        }
        var listed = Set<String>()
        for entry in manifest.entries {
            listed.insert(entry.path)
            guard let bytes = files[entry.path] else {
                throw BackendsError(.fileMissing, "`\(entry.path)` is listed in the manifest but missing")
            }
            guard bytes.count == entry.size, HashAlgorithm.sha256.digest(bytes) == entry.sha256 else {
                throw BackendsError(.fileChanged, "`\(entry.path)` does not match its SHA-256 in the manifest: it was changed")
            }
        }
        for path in files.keys.sorted() where !listed.contains(path)
            && path != BundleManifest.fileName && path != BundleManifest.signatureFileName {
            throw BackendsError(.fileUnlisted, "`\(path)` is in the bundle but not in its manifest")
        }
        return manifest
    }
}
