import Hashing
import SExpr

/// A key as read from a file in any supported format, found by looking at the bytes:
/// SPKI S-expressions (canonical, advanced or transport), PEM (`RSA PRIVATE KEY`,
/// `RSA PUBLIC KEY`, `PRIVATE KEY`, `PUBLIC KEY`, `OPENSSH PRIVATE KEY`), bare DER of the
/// same structures, and `ssh-rsa` public key lines.
public struct RSAKeyFile: Sendable {
    /// Where a key came from.
    public enum Format: String, Sendable, CaseIterable {
        case sexp = "SPKI S-expression"
        case pkcs1PEM = "PKCS#1 PEM"
        case spkiPEM = "SubjectPublicKeyInfo PEM"
        case pkcs8PEM = "PKCS#8 PEM"
        case der = "DER"
        case sshPublic = "OpenSSH public key"
        case sshPrivate = "OpenSSH private key"
    }

    /// The formats a key can be written in (`spki key convert --to`, `spki keygen --format`).
    public enum OutputFormat: String, Sendable, CaseIterable {
        /// SPKI S-expression, advanced form.
        case sexp
        /// PEM: `RSA PRIVATE KEY` (PKCS#1) for private keys, `PUBLIC KEY`
        /// (SubjectPublicKeyInfo, what OpenSSL expects) for public keys.
        case pem
        /// PEM: `PRIVATE KEY` (PKCS#8) for private keys, `PUBLIC KEY` for public keys.
        case pkcs8
        /// PEM: `RSA PRIVATE KEY` / `RSA PUBLIC KEY` (PKCS#1) for both.
        case pkcs1
        /// OpenSSH: `OPENSSH PRIVATE KEY` (unencrypted) or an `ssh-rsa` line.
        case ssh
    }

    public let publicKey: RSAPublicKey
    /// The private key, when the file held one.
    public let privateKey: RSAPrivateKey?
    public let format: Format
    /// The SPKI algorithm word: as written for S-expression keys, `rsa-pkcs1-sha256` otherwise.
    public let algorithm: String
    /// The public key as an S-expression: exactly as received for an S-expression public
    /// key (its principal hash is taken over these bytes), built from the received
    /// algorithm word and n and e atoms for an S-expression private key, and in our
    /// canonical form otherwise.
    public let publicKeySExpr: SExpr
    /// The comment of an OpenSSH key.
    public let comment: String?

    /// Whether the file held a private key.
    public var isPrivate: Bool { privateKey != nil }

    /// The private key, or an error saying that the file holds only a public key.
    public func requirePrivateKey() throws(RSAError) -> RSAPrivateKey {
        guard let privateKey else {
            throw RSAError(.notAPrivateKey, "the file holds a public key (\(format.rawValue)), and signing needs the private key",
                           help: "pass the private key file (NAME.key from `spki keygen`)")
        }
        return privateKey
    }

    /// The canonical bytes of the public key S-expression: what a principal hash covers.
    public var principalBytes: [UInt8] { publicKeySExpr.canonical }

    /// `(hash ALG |digest|)` of the principal bytes.
    public func principalHash(_ hash: HashAlgorithm = .sha256) -> SExpr {
        ["hash", .string(hash.spkiName), .bytes(hash.digest(principalBytes))]
    }

    /// SHA-256 of our canonical encoding of the public key,
    /// `(public-key (rsa-pkcs1-sha256 (n N) (e E)))`, whatever form it was read in: the same
    /// key has the same fingerprint in every file format.
    public var fingerprint: [UInt8] {
        HashAlgorithm.sha256.digest(RSASExpr.publicKey(publicKey).canonical)
    }

    init(publicKey: RSAPublicKey, privateKey: RSAPrivateKey?, format: Format, algorithm: String = RSASExpr.defaultAlgorithm,
         publicKeySExpr: SExpr? = nil, comment: String? = nil) {
        self.publicKey = publicKey
        self.privateKey = privateKey
        self.format = format
        self.algorithm = algorithm
        self.publicKeySExpr = publicKeySExpr ?? RSASExpr.publicKey(publicKey, algorithm: algorithm)
        self.comment = comment
    }

    /// A key file for a key in memory (a generated one, for example).
    public init(privateKey: RSAPrivateKey, comment: String? = nil) {
        self.init(publicKey: privateKey.publicKey, privateKey: privateKey, format: .sexp, comment: comment)
    }

    // MARK: Reading

    /// The PEM labels accepted.
    public static let pemLabels = ["RSA PRIVATE KEY", "PRIVATE KEY", "RSA PUBLIC KEY", "PUBLIC KEY", "OPENSSH PRIVATE KEY"]

    /// Reads a key in any supported format.
    public static func load(_ bytes: [UInt8]) throws(RSAError) -> RSAKeyFile {
        let first = bytes.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0a || $0 == 0x0d) }
        if PEMArmor.looksLikePEM(bytes) { return try loadPEM(PEMArmor(parsing: bytes)) }
        if RSAOpenSSH.looksLikePublicKey(bytes) {
            let (key, comment) = try RSAOpenSSH.publicKey(line: bytes)
            return RSAKeyFile(publicKey: key, privateKey: nil, format: .sshPublic, comment: comment)
        }
        if bytes.first == 0x30 { return try loadDER(bytes) }
        if let first, first == UInt8(ascii: "(") || first == UInt8(ascii: "{") || (first >= 0x30 && first <= 0x39) || first == UInt8(ascii: "[") {
            let value: SExpr
            do {
                value = try SExpr.parse(bytes)
            } catch {
                throw RSAError(.sexpMalformed, "\(error.line):\(error.column): \(error.message) (\(error.code.rawValue))",
                               help: "a key S-expression looks like `(public-key (rsa-pkcs1-sha256 (n |…|) (e |AQAB|)))`")
            }
            let decoded = try RSASExpr.decode(value)
            return RSAKeyFile(publicKey: decoded.publicKey, privateKey: decoded.privateKey, format: .sexp,
                              algorithm: decoded.algorithm, publicKeySExpr: decoded.publicKeySExpr)
        }
        if bytes.isEmpty || first == nil {
            throw RSAError(.unknownFormat, "the key file is empty", help: "pass a key file; `spki keygen` makes one")
        }
        throw RSAError(.unknownFormat, "the file is not a key in any supported format",
                       help: "supported: SPKI S-expressions, PEM (\(pemLabels.joined(separator: ", "))), DER, and `ssh-rsa` lines")
    }

    static func loadPEM(_ armor: PEMArmor) throws(RSAError) -> RSAKeyFile {
        switch armor.label {
        case "RSA PRIVATE KEY":
            let key = try RSADER.privateKey(pkcs1: armor.bytes)
            return RSAKeyFile(publicKey: key.publicKey, privateKey: key, format: .pkcs1PEM)
        case "PRIVATE KEY":
            let key = try RSADER.privateKey(pkcs8: armor.bytes)
            return RSAKeyFile(publicKey: key.publicKey, privateKey: key, format: .pkcs8PEM)
        case "RSA PUBLIC KEY":
            return RSAKeyFile(publicKey: try RSADER.publicKey(pkcs1: armor.bytes), privateKey: nil, format: .pkcs1PEM)
        case "PUBLIC KEY":
            return RSAKeyFile(publicKey: try RSADER.publicKey(spki: armor.bytes), privateKey: nil, format: .spkiPEM)
        case "OPENSSH PRIVATE KEY":
            let (key, comment) = try RSAOpenSSH.privateKey(body: armor.bytes)
            return RSAKeyFile(publicKey: key.publicKey, privateKey: key, format: .sshPrivate, comment: comment)
        case "ENCRYPTED PRIVATE KEY":
            throw RSAError(.encryptedKey, "the PKCS#8 private key is encrypted with a passphrase",
                           help: "decrypt it first, e.g. `openssl pkey -in KEY -out plain.pem`, and keep the result private")
        default:
            throw RSAError(.pemLabel, "the PEM label `\(armor.label)` is not an RSA key",
                           help: "expected one of \(pemLabels.map { "`\($0)`" }.joined(separator: ", "))")
        }
    }

    static func loadDER(_ bytes: [UInt8]) throws(RSAError) -> RSAKeyFile {
        // Try each structure in turn; an error other than "malformed DER" (a bad key value)
        // means the structure matched, so it is reported as is.
        for structure in 0..<4 {
            do {
                switch structure {
                case 0:
                    let key = try RSADER.privateKey(pkcs1: bytes)
                    return RSAKeyFile(publicKey: key.publicKey, privateKey: key, format: .der)
                case 1:
                    let key = try RSADER.privateKey(pkcs8: bytes)
                    return RSAKeyFile(publicKey: key.publicKey, privateKey: key, format: .der)
                case 2:
                    return RSAKeyFile(publicKey: try RSADER.publicKey(spki: bytes), privateKey: nil, format: .der)
                default:
                    return RSAKeyFile(publicKey: try RSADER.publicKey(pkcs1: bytes), privateKey: nil, format: .der)
                }
            } catch {
                if error.code != .derMalformed { throw error }
            }
        }
        throw RSAError(.derMalformed, "the DER data is not a PKCS#1, PKCS#8 or SubjectPublicKeyInfo RSA key, or it is truncated",
                       help: "check that the file is complete; `openssl asn1parse -inform DER -in FILE` shows its structure")
    }

    // MARK: Writing

    /// The public key in `format`.
    public func publicKeyBytes(_ format: OutputFormat) -> [UInt8] {
        switch format {
        case .sexp: return Array((publicKeySExpr.advanced() + "\n").utf8)
        case .pem, .pkcs8: return Array(PEMArmor(label: "PUBLIC KEY", bytes: RSADER.spki(publicKey)).text.utf8)
        case .pkcs1: return Array(PEMArmor(label: "RSA PUBLIC KEY", bytes: RSADER.pkcs1(publicKey)).text.utf8)
        case .ssh: return Array(RSAOpenSSH.publicKeyLine(publicKey, comment: comment).utf8)
        }
    }

    /// The private key in `format`, or `nil` when the file holds only a public key.
    /// The result holds key material: write it only to a private (0600) file.
    public func privateKeyBytes(_ format: OutputFormat) -> [UInt8]? {
        guard let privateKey else { return nil }
        switch format {
        case .sexp: return Array((RSASExpr.privateKey(privateKey, algorithm: algorithm).advanced() + "\n").utf8)
        case .pem, .pkcs1: return Array(PEMArmor(label: "RSA PRIVATE KEY", bytes: RSADER.pkcs1(privateKey)).text.utf8)
        case .pkcs8: return Array(PEMArmor(label: "PRIVATE KEY", bytes: RSADER.pkcs8(privateKey)).text.utf8)
        case .ssh: return Array(RSAOpenSSH.privateKeyFile(privateKey, comment: comment ?? "").utf8)
        }
    }
}
