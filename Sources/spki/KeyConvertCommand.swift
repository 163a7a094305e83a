import ArgumentParser
import RSA
import ToolSupport

struct KeyConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a key to another format.",
        discussion: """
            Targets: sexp (SPKI S-expression), pem (RSA PRIVATE KEY, or PUBLIC KEY for a \
            public key), pkcs8 (PRIVATE KEY, or PUBLIC KEY), pkcs1 (RSA PRIVATE KEY or \
            RSA PUBLIC KEY), ssh (OPENSSH PRIVATE KEY, or an ssh-rsa line).

            A private key stays private unless --public is given; written with -o, it gets \
            mode 0600; it is never printed on a terminal (use -o, or a pipe). A public \
            S-expression key converted to sexp is written as it was read, so its principal \
            hash does not change.

            Examples:
              spki key convert --to sexp id_rsa -o alice.key
              spki key convert --to pem --public alice.key -o alice.pem
            """)

    @Option(name: .long, help: "Target format: sexp, pem, pkcs8, pkcs1 or ssh.")
    var to: RSAKeyFile.OutputFormat

    @Flag(name: .long, help: "Write only the public key.")
    var `public` = false

    @Option(name: .short, help: "Write to FILE atomically instead of standard output.")
    var output: String?

    @Argument(help: "Key file, or - for standard input.")
    var file: String = "-"

    func run() throws {
        try CommandRunner.run {
            let key = try KeyInput.load(file)
            if !`public`, let bytes = key.privateKeyBytes(to) {
                try CommandRunner.emitPrivate(bytes, to: output, publicOption: true)
            } else {
                try CommandRunner.emit(key.publicKeyBytes(to), to: output)
            }
        }
    }
}

extension RSAKeyFile.OutputFormat: ExpressibleByArgument {}
