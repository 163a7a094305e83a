import ArgumentParser
import Diagnostics
import PolicyCompiler
import ToolSupport

struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a policy into SPKI certificates (the default command).",
        discussion: """
            Analyses and places the policy, checks its tests, plans the certificates of the \
            renewal epoch in force at --at for every vpxi (the paper's three flows), signs \
            those whose issuer's private key is in the key store (in parallel), and writes \
            the output directory atomically: a manifest, each machine's ACL, the certs, each \
            user's chain for each machine, and the pending requests (certs whose issuer must \
            sign them: `spki sign --key ISSUER.key DIR/pending/H.tbs -o DIR/pending/H.sig`, \
            merged by the next run). Re-running into the same output reuses the certs that \
            did not change. Docs/outputs.md describes the output.

            Exit status: 0 compiled; 1 placement impossible or a test failed (nothing \
            written); 2 bad input (errors in the policy, keys, options); 3 internal error.

            Examples:
              spkic bronze-standard.vp -o out --keys keys --generate-missing-keys
              spkic compile policy.vp -o certs --keys /etc/spkic/keys --at 2026-12-02T08:00Z
              spkic compile policy.vp -o certs --keys keys --canonical --no-test
              spkic compile policy.vp -o certs --nodes nodes --keys keys --generate-missing-keys
            """)

    @Argument(help: "The policy file.")
    var file: String

    @Option(name: .short, help: ArgumentHelp("The output directory (replaced atomically).", valueName: "DIR"))
    var output: String

    @OptionGroup var options: CompilationOptions

    @Flag(help: "Do not check the policy's tests.")
    var noTest = false

    @Flag(help: "Write S-expressions in canonical form (compact) rather than advanced (readable).")
    var canonical = false

    @Option(name: .customLong("signatures"), help: ArgumentHelp("A directory of signatures of pending requests (H.sig), to merge; the output's own pending/ is always searched.", valueName: "DIR"))
    var signatureDirectories: [String] = []

    @Option(help: ArgumentHelp("Also write the per-host bundles into DIR, as `spkic nodes` does (Docs/nodes.md).", valueName: "DIR"))
    var nodes: String?

    func run() throws {
        let time = try options.time
        let (input, analysis) = try PolicyInput.loadForCompilation(file)
        let ir = try options.infrastructure(analysis)
        let nodeKeys = try nodes.map { _ in try NodesRun.keys(ir, options: options, sources: input.loaded.sources) }
        let compilation = Compilation(ir: ir, at: time, policyName: AtomicName.basename(file))
        let format: SExprText = canonical ? .canonical : .advanced
        // Vpxis unchanged since the previous output are carried over, except when the
        // bundles need the whole plan.
        let prepared: Compilation.Prepared
        do throws(CompileFailure) {
            prepared = try compilation.prepare(output: output, format: format, carryOver: nodes == nil)
        } catch {
            throw CommandFailure(.badInput, error.message)
        }
        var tests: (passed: Int, failed: Int)?
        if !noTest {
            let outcomes = compilation.checkExpectations(reusing: prepared.plan)
            tests = (outcomes.filter(\.passed).count, outcomes.filter { !$0.passed }.count)
            let failures = ExpectationChecker.diagnostics(outcomes)
            if !failures.isEmpty {
                Console.err(String(DiagnosticOutput.render(failures, sources: input.loaded.sources, format: .human).dropLast()))
                throw CommandFailure(.refused, "\(failures.count) of \(outcomes.count) expectations failed; nothing written (--no-test compiles anyway)")
            }
        }
        let result: Compilation.Result
        do throws(CompileFailure) {
            result = try compilation.run(prepared, output: output, signatureDirectories: signatureDirectories)
        } catch {
            throw CommandFailure(.badInput, error.message)
        }
        if !result.warnings.isEmpty {
            Console.err(String(DiagnosticOutput.render(result.warnings, sources: input.loaded.sources, format: .human).dropLast()))
        }
        Console.out(CompileSummary.render(result, ir: ir, output: output, at: time, tests: tests))
        if let nodes, let nodeKeys {
            try NodesRun.write(ir, at: time, keys: nodeKeys, to: nodes, sources: input.loaded.sources, compiled: (result, output))
        }
    }
}

/// File name helpers for messages.
enum AtomicName {
    static func basename(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
