import ArgumentParser
import SExpr

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert S-expressions between canonical, advanced and transport forms.",
        discussion: """
            The input may hold several expressions, in any mix of the three forms.

            Examples:
              spki convert cert.canon                          # readable form, 72 columns
              spki convert --to canonical cert.sexp -o cert.canon
              spki convert --to transport --width 64 key.pub
              cat cert.sexp | spki convert --to canonical - | sha256sum
            """)

    enum Form: String, ExpressibleByArgument, CaseIterable {
        case canonical, advanced, transport
    }

    @Option(name: .long, help: "Output form: canonical, advanced or transport.")
    var to: Form = .advanced

    @Option(name: .long, help: "Line width for advanced and transport output (0: no wrapping).")
    var width: Int = 72

    @Option(name: .short, help: "Write to FILE atomically instead of standard output.")
    var output: String?

    @Argument(help: "Input file, or - for standard input.")
    var file: String = "-"

    func validate() throws {
        guard width >= 0 else { throw ValidationError("--width must be 0 or more, got \(width)") }
    }

    func run() throws {
        try CommandRunner.run {
            let document = try CommandRunner.parseInput(file)
            let bytes: [UInt8]
            switch to {
            case .canonical: bytes = CanonicalPrinter.print(document)
            case .advanced: bytes = AdvancedPrinter(width: width).print(document)
            case .transport: bytes = TransportPrinter(width: width).print(document)
            }
            // A private key keeps its protection in any form: its file gets 0600, and it
            // is not printed on a terminal (as `spki key convert`).
            let holdsPrivateKey = (0..<document.nodeCount).contains { document.hasHead($0, Array("private-key".utf8)) }
            guard holdsPrivateKey else { return try CommandRunner.emit(bytes, to: output) }
            try CommandRunner.emitPrivate(bytes, to: output)
        }
    }
}
