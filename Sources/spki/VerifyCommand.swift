import ArgumentParser
import Hashing
import RSA
import SExpr
import ToolSupport

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify a signature with an RSA public key.",
        discussion: """
            With --signature SIG, SIG is a (signature ...) object made by `spki sign` over the \
            canonical bytes of the input expression. With --raw-signature SIG --hash ALG, SIG \
            holds a bare PKCS#1 v1.5 signature over the raw bytes of the input.

            --key accepts every key format (S-expression, PEM, DER, OpenSSH); a private key \
            file is fine too. The key must be the signer named in a (signature ...) object.

            Exit status: 0 valid, 1 invalid (the reason is printed), 2 malformed input.

            Examples:
              spki verify --key alice.pub --signature cert.sig cert.sexp
              spki verify --key alice.pem --raw-signature blob.sig --hash sha256 blob.bin
            """)

    @Option(name: .long, help: "Public (or private) key file, any supported format.")
    var key: String

    @Option(name: .long, help: "File holding a (signature ...) object.")
    var signature: String?

    @Option(name: .long, help: "File holding a bare PKCS#1 v1.5 signature over the raw input.")
    var rawSignature: String?

    @Option(name: .long, help: "Hash algorithm of a raw signature: sha256, sha512, sha1 or md5.")
    var hash: String?

    @Argument(help: "Signed content file, or - for standard input.")
    var file: String = "-"

    func validate() throws {
        switch (signature, rawSignature) {
        case (nil, nil): throw ValidationError("give the signature with --signature SIG, or --raw-signature SIG --hash ALG")
        case (.some, .some): throw ValidationError("--signature and --raw-signature exclude each other")
        case (nil, .some) where hash == nil: throw ValidationError("--raw-signature needs --hash ALG (the hash the signer used)")
        case (.some, nil) where hash != nil: throw ValidationError("--hash applies to --raw-signature; a (signature ...) names its hash")
        default: break
        }
    }

    func run() throws {
        try CommandRunner.run {
            let keyFile = try KeyInput.load(key)
            let content = try InputReader.read(file)
            let name = InputReader.displayName(file)
            if let rawSignature {
                let algorithm = try KeyInput.hash(hash!)
                let signatureBytes = try InputReader.read(rawSignature, limit: 1 << 16)
                KeyInput.warnLegacy(key: keyFile, path: key, hash: algorithm)
                do {
                    try keyFile.publicKey.verify(signature: signatureBytes, message: content, hash: algorithm)
                } catch let error as RSAError {
                    throw KeyInput.failure(error, in: rawSignature)
                }
                Console.out("valid: \(keyFile.publicKey.bitLength)-bit RSA PKCS#1 v1.5 \(algorithm.spkiName) signature over \(name)\n")
                return
            }
            let signaturePath = signature!
            let signatureExpr = try KeyInput.parseOne(try InputReader.read(signaturePath), name: InputReader.displayName(signaturePath))
            let parsed: SPKISignature
            do {
                parsed = try SPKISignature(parsing: signatureExpr)
            } catch let error as RSAError {
                throw KeyInput.failure(error, in: signaturePath)
            }
            let signed = try KeyInput.parseOne(content, name: name)
            KeyInput.warnLegacy(key: keyFile, path: key, hash: parsed.hash)
            do {
                try parsed.verify(canonical: signed.canonical, key: keyFile)
            } catch let error as RSAError {
                throw KeyInput.failure(error, in: signaturePath)
            }
            Console.out("valid: \(parsed.algorithm) signature by \(keyFile.principalHash().advanced(width: 0)) over \(name)\n")
        }
    }
}
