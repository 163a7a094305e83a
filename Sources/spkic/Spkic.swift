import ArgumentParser

@main
struct Spkic: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spkic",
        abstract: "The SPKI policy compiler for HIPerNet VPXIs.",
        discussion: """
            Reads `.vp` policies: hosts, users, registrars and the VPXIs they request.

            Examples:
              spkic check corpus/policies/ok/bronze-standard.vp
              spkic check policies/*.vp --format sarif > spkic.sarif
              spkic fmt -w policies/*.vp
              spkic fmt --check policies/*.vp
            """,
        version: "0.1.0",
        subcommands: [CheckCommand.self, FormatCommand.self]
    )
}
