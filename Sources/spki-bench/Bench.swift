import ArgumentParser
import CommandLineSupport

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spki-bench",
        abstract: "Benchmarks, each measured side by side with a reference implementation.",
        discussion: """
            Run in release mode:
              swift run -c release spki-bench sexp
              swift run -c release spki-bench rsa
              swift run -c release spki-bench spki
              swift run -c release spki-bench parse
              swift run -c release spki-bench nodes
              swift run -c release spki-bench compile
              swift run -c release spki-bench registrar
            """,
        subcommands: [SexpBenchmark.self, RSABenchmark.self, SPKIBenchmark.self, ParseBenchmark.self, NodesBenchmark.self, CompileBenchmark.self,
                      RegistrarBenchmark.self])

    /// Usage errors exit with 2, as in every tool of the toolkit.
    static func main() { toolkitMain() }
}
