import ArgumentParser

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Inspect and convert RSA keys.",
        discussion: """
            Keys are read in every supported format: SPKI S-expressions (canonical, advanced \
            or transport), PEM (RSA PRIVATE KEY, PRIVATE KEY, RSA PUBLIC KEY, PUBLIC KEY, \
            OPENSSH PRIVATE KEY), DER, and ssh-rsa lines.

            Examples:
              spki key show alice.key
              spki key convert --to ssh --public alice.key
              spki key convert --to pkcs8 id_rsa -o alice.pem
            """,
        subcommands: [KeyShowCommand.self, KeyConvertCommand.self])
}
