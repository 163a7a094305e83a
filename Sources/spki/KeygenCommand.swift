import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RSA
import SExpr
import ToolSupport

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate an RSA key pair (e = 65537).",
        discussion: """
            Writes NAME.key (the private key, mode 0600) and NAME.pub (the public key), each \
            atomically. Existing files are not replaced unless --force is given.

            Formats: sexp (SPKI S-expressions, the default), pem (RSA PRIVATE KEY and \
            PUBLIC KEY, as OpenSSL writes them), ssh (OPENSSH PRIVATE KEY, unencrypted, and \
            an ssh-rsa line).

            Examples:
              spki keygen -o alice                       # alice.key, alice.pub
              spki keygen --bits 3072 --format pem -o registrar
              spki keygen --format ssh --comment alice@lab -o id_rsa
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case sexp, pem, ssh
    }

    @Option(name: .long, help: "Modulus size in bits: 2048, 3072 or 4096.")
    var bits: Int = 2048

    @Option(name: .long, help: "Key file format: sexp, pem or ssh.")
    var format: Format = .sexp

    @Option(name: .long, help: "Comment stored in OpenSSH keys.")
    var comment: String?

    @Option(name: .short, help: "Base name: writes NAME.key and NAME.pub.")
    var output: String

    @Flag(name: .long, help: "Replace existing NAME.key and NAME.pub.")
    var force = false

    func validate() throws {
        guard RSAKeyGenerator.supportedSizes.contains(bits) else {
            throw ValidationError("--bits must be one of 2048, 3072 or 4096, got \(bits)")
        }
        guard !output.isEmpty, output != "-" else {
            throw ValidationError("-o needs a base name for NAME.key and NAME.pub")
        }
    }

    func run() throws {
        try CommandRunner.run {
            let privatePath = output + ".key", publicPath = output + ".pub"
            if !force {
                for path in [privatePath, publicPath] where access(path, F_OK) == 0 {
                    throw CommandFailure(.badInput, "`\(path)` already exists; not replacing a key\n  help: choose another name, or pass --force to replace it")
                }
            }
            let key: RSAPrivateKey
            do {
                key = try RSAKeyGenerator.generate(bits: bits)
            } catch let error as RSAError {
                throw KeyInput.failure(error, in: "keygen")
            }
            let file = RSAKeyFile(privateKey: key, comment: comment)
            let outputFormat: RSAKeyFile.OutputFormat = switch format {
            case .sexp: .sexp
            case .pem: .pem
            case .ssh: .ssh
            }
            try AtomicFile.write(file.privateKeyBytes(outputFormat)!, to: privatePath, mode: 0o600)
            try AtomicFile.write(file.publicKeyBytes(outputFormat), to: publicPath, mode: 0o644)
            Console.out("""
                wrote \(privatePath) (private key, mode 0600) and \(publicPath)
                fingerprint: sha256:\(Hex.encode(file.fingerprint))

                """)
        }
    }
}
