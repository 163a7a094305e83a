import ArgumentParser
import Hashing
import RSA
import SExpr
import ToolSupport

struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign an S-expression (or raw bytes) with an RSA private key.",
        discussion: """
            Prints (signature (hash sha256 |H|) <public-key> (rsa-pkcs1-sha256 |S|)), where \
            H is the hash of the canonical bytes of the input expression, whatever form it \
            was written in, and S the RSASSA-PKCS1-v1_5 signature of H.

            With --raw, signs the input bytes as they are and writes the bare signature \
            (as many bytes as the modulus) to -o FILE, like `openssl dgst -sign`.

            SHA-1 and MD5 are refused unless --legacy-hash is given.

            Examples:
              spki sign --key alice.key cert.sexp > cert.sig
              spki sign --key alice.key --hash sha512 - < request.sexp
              spki sign --key alice.key --raw -o blob.sig blob.bin
            """)

    @Option(name: .long, help: "Private key file (any supported format).")
    var key: String

    @Option(name: .long, help: "Hash algorithm: sha256 or sha512 (sha1 and md5 need --legacy-hash).")
    var hash: String = "sha256"

    @Flag(name: .long, help: "Allow signing with SHA-1 or MD5, for old verifiers only.")
    var legacyHash = false

    @Flag(name: .long, help: "Sign the raw input bytes and write the bare signature to -o FILE.")
    var raw = false

    @Option(name: .short, help: "Write to FILE atomically instead of standard output.")
    var output: String?

    @Argument(help: "Input file, or - for standard input.")
    var file: String = "-"

    func validate() throws {
        if raw && (output == nil || output == "-") {
            throw ValidationError("--raw writes binary signature bytes: give the file with -o FILE")
        }
    }

    func run() throws {
        try CommandRunner.run {
            let algorithm = try KeyInput.hash(hash)
            let keyFile = try KeyInput.load(key)
            let privateKey: RSAPrivateKey
            do {
                privateKey = try keyFile.requirePrivateKey()
            } catch let error as RSAError {
                throw KeyInput.failure(error, in: key)
            }
            let input = try InputReader.read(file)
            let name = InputReader.displayName(file)
            do {
                let signer = try RSASigner(key: privateKey)
                if raw {
                    let signature = try signer.sign(message: input, hash: algorithm, allowLegacyHash: legacyHash)
                    try AtomicFile.write(signature, to: output!)
                    return
                }
                let content = try KeyInput.parseOne(input, name: name)
                let signature = try SPKISignature.sign(canonical: content.canonical, signer: signer, principal: keyFile.publicKeySExpr,
                                                       hash: algorithm, allowLegacyHash: legacyHash)
                try CommandRunner.emit(Array((signature.sexp.advanced() + "\n").utf8), to: output)
            } catch let error as RSAError {
                throw KeyInput.failure(error, in: key)
            }
        }
    }
}
