#if canImport(Glibc)
import Glibc
private let terminate = Glibc.exit
#elseif canImport(Darwin)
import Darwin
private let terminate = Darwin.exit
#endif
import ArgumentParser
import CommandLineSupport
import ToolSupport

@main
struct Spkic: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spkic",
        abstract: "The SPKI policy compiler for HIPerNet VPXIs.",
        discussion: """
            Reads `.vp` policies: hosts, users, registrars and the VPXIs they request, and \
            compiles them into SPKI certificates. `spkic FILE -o DIR` is short for \
            `spkic compile FILE -o DIR`.

            Examples:
              spkic corpus/policies/ok/bronze-standard.vp -o out --keys keys --generate-missing-keys
              spkic nodes corpus/policies/ok/bronze-standard.vp -o nodes --keys keys --generate-missing-keys
              spkic test corpus/policies/ok/bronze-standard.vp --keys keys --generate-missing-keys
              spkic graph corpus/policies/ok/bronze-standard.vp -o topology.svg
              spkic check corpus/policies/ok/bronze-standard.vp
              spkic check policies/*.vp --format sarif > spkic.sarif
              spkic fmt -w policies/*.vp
              spkic fmt --check policies/*.vp
              spkic lint policies/*.vp --strict
            """,
        version: "0.1.0",
        subcommands: [CompileCommand.self, NodesCommand.self, TestCommand.self, GraphCommand.self, CheckCommand.self, FormatCommand.self, LintCommand.self],
        defaultSubcommand: CompileCommand.self
    )

    /// Runs the command; usage errors exit with 2 (bad input or usage), as every
    /// command of the toolkit does, rather than ArgumentParser's 64.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let failure as CommandFailure {
            terminate(FailureReport.report(failure, tool: "spkic").rawValue)
        } catch let failure as FileError {
            terminate(FailureReport.report(failure, tool: "spkic").rawValue)
        } catch {
            ToolkitEntryPoint.exit(with: error, in: self)
        }
    }
}
