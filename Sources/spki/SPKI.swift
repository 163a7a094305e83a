import ArgumentParser
import CommandLineSupport

@main
struct SPKI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spki",
        abstract: "Work with SPKI S-expressions, keys, certificates and signatures.",
        discussion: """
            Examples:
              spki convert --to canonical cert.sexp -o cert.canon
              spki convert key.pub                     # readable (advanced) form
              spki hash --alg sha256 cert.canon
              spki keygen -o alice                     # alice.key (0600), alice.pub
              spki sign --key alice.key cert.sexp > cert.sig
              spki verify --key alice.pub --signature cert.sig cert.sexp
            """,
        subcommands: [
            ConvertCommand.self, HashCommand.self,
            KeygenCommand.self, KeyCommand.self, SignCommand.self, VerifyCommand.self,
            CertCommand.self, ReduceCommand.self, ProveCommand.self,
        ])

    /// Usage errors exit with 2 (bad input or usage), as every command of the
    /// toolkit does, rather than ArgumentParser's 64.
    static func main() { toolkitMain() }
}
