import ArgumentParser
import Diagnostics
import PolicyCompiler
import ToolSupport

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a policy's tests (its `expect` lines) against the compiled chains.",
        discussion: """
            Compiles the chains of each expectation's time (the epoch in force then; --at \
            when the expectation gives no time) and checks each `expect USER can|cannot \
            RIGHT on TARGET` by reducing them against the target's ACL with the SPKI \
            reducer. Writes nothing but the keys --generate-missing-keys creates. \
            Ends with `N passed, N failed`. Exit status: 0 all passed; 1 a test failed; \
            2 bad input.

            Examples:
              spkic test bronze-standard.vp --keys keys --generate-missing-keys
              spkic test policy.vp --keys keys --at 2026-12-02T08:00Z
            """)

    @Argument(help: "The policy file.")
    var file: String

    @OptionGroup var options: CompilationOptions

    func run() throws {
        let time = try options.time
        let (input, analysis) = try PolicyInput.loadForCompilation(file)
        let ir = try options.infrastructure(analysis)
        let outcomes = Compilation(ir: ir, at: time, policyName: file).checkExpectations()
        var text = ""
        for outcome in outcomes {
            let vpxi = ir.model.vpxis[outcome.vpxi].name
            text += "\(outcome.passed ? "ok    " : "FAILED") \(vpxi): \(outcome.description)\n"
            if let detail = outcome.detail, !outcome.passed { text += "       \(detail)\n" }
        }
        let failed = outcomes.filter { !$0.passed }.count
        text += "\(outcomes.count - failed) passed, \(failed) failed\n"
        Console.out(text)
        if failed > 0 {
            let diagnostics = ExpectationChecker.diagnostics(outcomes)
            Console.err(String(DiagnosticOutput.render(diagnostics, sources: input.loaded.sources, format: .human).dropLast()))
            throw ExitCode(ExitStatus.refused.rawValue)
        }
    }
}
