#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Diagnostics
import Dispatch
import PolicyCompiler
import PolicyLanguage
import RSA
import ToolSupport

/// `spki-bench compile`: compiles a generated policy of 2,000 hosts, 10,000 machines and
/// 500 users (about 99,000 certs) from scratch, then again after one grant changed.
struct CompileBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Benchmark spkic compile on a large generated policy, and an incremental re-run.",
        discussion: """
            Generates the policy and every key once into --work-dir (10,500 RSA-2048 keys:
            minutes, the first time only), then measures, in this process:
              full         compile into an empty output: parse, analyse, place, load the
                           keys, plan, sign every cert on all cores while writing each
                           vpxi as soon as its certs are signed
              incremental  the same after one grant changed (a user gains `console` on
                           150 machines): the 19 unchanged vpxis are carried over from
                           the previous output, only the affected certs are signed
            and reports the wall time of each stage, certs/s, the peak memory (the resident \
            high-water mark, reset before each run) and the non-signing time two ways: the \
            wall time during which no signature is being made (the headline), and the \
            process's CPU time outside RSA signing. \
            Targets: non-signing under 10% of the full run on 2 cores; peak memory under \
            1 GB; the incremental run under 5% of the full one. The outputs go to a new \
            directory of --work-dir, removed at the end.

            Examples:
              swift run -c release --scratch-path .build-release spki-bench compile
              swift run -c release --scratch-path .build-release spki-bench compile --machines 1000 --hosts 200 --users 100 --vpxis 4
            """)

    @Option(help: "Hosts in the pool.") var hosts = 2000
    @Option(help: "Machines (split evenly over the vpxis).") var machines = 10_000
    @Option(help: "Users (split evenly over the vpxis).") var users = 500
    @Option(help: "Vpxis.") var vpxis = 20
    @Option(help: "Where the policy, keys and outputs go (kept between runs: keys are costly).") var workDir = "/tmp/spkic-bench-compile"
    @Flag(help: "Write canonical S-expressions (smaller files).") var canonical = false

    func run() throws {
        var policy = CompileBenchmarkPolicy(hosts: hosts, machines: machines, users: users, vpxis: vpxis)
        policy.perUser = min(150, max(1, policy.machinesPerVPXI / 2))
        try setUp(policy)
        // A fresh output each time; removed after the measurements (ext4 is slow to create
        // files just after deleting many: see Docs/performance.md).
        let output = workDir + "/out-\(getpid())"
        let full = try measure(policy.text(), policy: policy, output: output)
        let incremental = try measure(policy.text(widen: true), policy: policy, output: output)
        print(report(full: full, incremental: incremental, policy: policy))
        FileSystemHelper.removeTree(output)
        FileSystemHelper.removeTree(workDir + "/.out-\(getpid()).spkic")
    }

    struct Run {
        var stages: [(String, Double)] = []
        var total = 0.0
        var certs = 0
        var signed = 0
        var reused = 0
        var rsa = 0.0
        /// Wall time during which at least one thread was signing.
        var signingWall = 0.0
        /// Wall time of the writing left after the last signature.
        var afterSigning = 0.0
        var peakBytes = 0
        var filesWritten = 0
        var filesLinked = 0
        var cpu = 0.0
        var writePhases: [(String, Double)] = []
        var carried = 0
    }

    func measure(_ text: String, policy: CompileBenchmarkPolicy, output: String) throws -> Run {
        let path = workDir + "/policy/bench.vp"
        try AtomicFile.write(text, to: path)
        Memory.resetPeak()
        let cpuStart = Memory.processCPUSeconds()
        var run = Run()
        let clock = ContinuousClock()
        let start = clock.now
        var mark = start
        func stage(_ name: String) {
            let now = clock.now
            run.stages.append((name, Self.seconds(now - mark)))
            mark = now
        }
        let (analysis, placement) = try Self.analyze(path)
        stage("parse, analyse, place")
        let store = KeyStoreDirectory(directories: [workDir + "/vm-keys", workDir + "/people"])
        let keys = try ResolvedKeys.resolve(analysis.model, store: store, generateMissing: false)
        let ir = InfrastructureIR(model: analysis.model, placement: placement, keys: keys)
        stage("load the keys (\(keys.signers.count) private)")
        let compilation = Compilation(ir: ir, at: 1_796_083_200 + 3600, policyName: "bench.vp")
        let prepared = try compilation.prepare(output: output, format: canonical ? .canonical : .advanced)
        run.carried = prepared.plan.carried.count
        let plannedAt = clock.now
        run.stages.append(("fingerprints, read the previous manifest", Self.seconds(prepared.loading)))
        run.stages.append(("plan the vpxis not carried over", Self.seconds(plannedAt - mark) - Self.seconds(prepared.loading)))
        mark = plannedAt
        let outcomes = compilation.checkExpectations(reusing: prepared.plan)
        guard outcomes.allSatisfy(\.passed) else { throw ValidationError("a test of the generated policy fails: \(outcomes.first { !$0.passed }!.description)") }
        stage("policy tests")
        let result = try compilation.run(prepared, output: output)
        run.stages.append(("reuse and merge signatures", Self.seconds(result.timings.planning - prepared.loading)))
        run.stages.append(("sign and write (overlapped: each vpxi written once signed)", Self.seconds(result.timings.writing)))
        run.total = Self.seconds(clock.now - start)
        run.cpu = Memory.processCPUSeconds() - cpuStart
        run.certs = result.plan.certs.count
        run.signed = result.signing.count(.signed)
        run.reused = result.signing.count(.reused)
        run.rsa = Self.seconds(result.timings.rsa)
        run.signingWall = Self.seconds(result.timings.signing)
        run.afterSigning = Self.seconds(result.timings.afterSigning)
        run.peakBytes = Memory.peakResidentBytes()
        run.filesWritten = result.statistics.filesWritten
        run.filesLinked = result.statistics.filesReused
        run.writePhases = result.statistics.phases.map { ($0.0, Self.seconds($0.1)) }
        return run
    }

    func report(full: Run, incremental: Run, policy: CompileBenchmarkPolicy) -> String {
        func row(_ name: String, _ a: Double, _ b: Double) -> String { "| \(name) | \(Self.format(a)) s | \(Self.format(b)) s |" }
        var lines = ["## spkic compile: \(hosts) hosts, \(machines) machines, \(users) users, \(vpxis) vpxis; \(full.certs) certs",
                     "", "cores: \(sysconf(Int32(_SC_NPROCESSORS_ONLN)))", "", "| stage | full | incremental |", "|---|---:|---:|"]
        for (index, stage) in full.stages.enumerated() {
            lines.append(row(stage.0, stage.1, incremental.stages[index].1))
        }
        lines.append(row("**total (wall)**", full.total, incremental.total))
        lines.append("")
        let outsideWall = full.total - full.signingWall
        let outsideCPU = full.cpu - full.rsa
        lines.append("| measure | full | incremental | target |")
        lines.append("|---|---:|---:|---|")
        lines.append("| vpxis carried over | \(full.carried) | \(incremental.carried) | all but the changed ones |")
        lines.append("| certs signed | \(full.signed) | \(incremental.signed) (\(incremental.reused) reused) | only the affected ones |")
        lines.append("| certs/s (wall) | \(Int(Double(full.certs) / full.total)) | \(Int(Double(incremental.certs) / incremental.total)) | |")
        lines.append("| RSA signing (CPU, all threads) | \(Self.format(full.rsa)) s | \(Self.format(incremental.rsa)) s | |")
        lines.append("| signing (wall: at least one thread signing) | \(Self.format(full.signingWall)) s | \(Self.format(incremental.signingWall)) s | |")
        lines.append("| **non-signing time (wall: no signature being made)** | \(Self.format(outsideWall)) s of \(Self.format(full.total)) s (**\(Self.percent(outsideWall / full.total))**) | | under 10% |")
        lines.append("| of which writing after the last signature | \(Self.format(full.afterSigning)) s | \(Self.format(incremental.afterSigning)) s | |")
        lines.append("| non-signing CPU (process CPU outside RSA, all threads) | \(Self.format(outsideCPU)) s of \(Self.format(full.cpu)) s (\(Self.percent(outsideCPU / full.cpu))) | | under 10% |")
        lines.append("| peak memory (resident) | \(full.peakBytes / 1_048_576) MiB | \(incremental.peakBytes / 1_048_576) MiB | under 1 GB |")
        lines.append("| files written / reused | \(full.filesWritten) / \(full.filesLinked) | \(incremental.filesWritten) / \(incremental.filesLinked) | |")
        lines.append("| incremental / full (wall) | | \(Self.percent(incremental.total / full.total)) | under 5% |")
        lines.append("")
        lines.append("The write stage, step by step:")
        lines.append("")
        for (name, run) in [("full", full), ("incremental", incremental)] {
            lines.append("- \(name): " + run.writePhases.map { "\($0.0) \(Self.format($0.1)) s" }.joined(separator: "; "))
        }
        return lines.joined(separator: "\n")
    }

    /// Writes the keys (once) and the policy's key files.
    func setUp(_ policy: CompileBenchmarkPolicy) throws {
        for directory in ["policy/keys", "people", "vm-keys"] { try FileSystemHelper.makeDirectories(workDir + "/" + directory) }
        let principals = CompileBenchmarkPolicy.registrars + (0..<policy.users).map(policy.userName)
        let missing = principals.filter { !FileSystemHelper.exists(workDir + "/people/\($0).key") }
        if !missing.isEmpty { print("generating \(missing.count) registrar and user keys in \(workDir)/people (once)...") }
        let directory = workDir
        DispatchQueue.concurrentPerform(iterations: missing.count) { index in
            let name = missing[index]
            guard let key = try? RSAKeyGenerator.generate(bits: 2048) else { return }
            let file = RSAKeyFile(privateKey: key)
            try? AtomicFile.write(file.privateKeyBytes(.sexp)!, to: directory + "/people/\(name).key", mode: 0o600)
            try? AtomicFile.write(file.publicKeyBytes(.sexp), to: directory + "/policy/keys/\(name).pub")
        }
        // The machines' keys: generated by the compiler's own key store, once.
        try AtomicFile.write(policy.text(), to: workDir + "/policy/bench.vp")
        let loaded = PolicyLoader(read: Self.read).load([workDir + "/policy/bench.vp"])
        let semantic = SemanticAnalyzer.analyze(loaded, keys: KeyLoader(read: { Self.read($0) }))
        try Self.refuse(loaded.diagnostics + semantic.diagnostics, sources: loaded.sources)
        let vmKeys = FileSystemHelper.count(workDir + "/vm-keys")
        if vmKeys < policy.machines { print("generating the machines' keys in \(workDir)/vm-keys (once; minutes)...") }
        _ = try ResolvedKeys.resolve(semantic.model, store: KeyStoreDirectory(directories: [workDir + "/vm-keys", workDir + "/people"]), generateMissing: true)
    }

    /// Loads, analyses and places the generated policy at `path`. Any diagnostic fails the
    /// benchmark: the loader recovers from a syntax error by dropping the declaration (a
    /// host with a bad locator would vanish), and a benchmark of a smaller policy than the
    /// generator meant would measure the wrong thing.
    static func analyze(_ path: String) throws -> (PolicyAnalysis, Placement) {
        let loaded = PolicyLoader(read: Self.read).load([path])
        let analysis = PolicyAnalysis.analyze(root: path, in: loaded, keys: KeyLoader(read: { Self.read($0) }))
        try refuse(loaded.diagnostics + analysis.diagnostics, sources: loaded.sources)
        guard let placement = analysis.placement else { throw ValidationError("the generated policy was not placed") }
        return (analysis, placement)
    }

    /// Throws with the first diagnostics when there is any (error, warning or note).
    static func refuse(_ diagnostics: [Diagnostic], sources: SourceManager) throws {
        guard diagnostics.isEmpty else {
            throw ValidationError("the generated policy has \(diagnostics.count) diagnostic\(diagnostics.count == 1 ? "" : "s") (a bug in the generator):\n"
                                  + HumanRenderer().render(Array(diagnostics.prefix(5)), sources: sources))
        }
    }

    @Sendable static func read(_ path: String) -> Result<[UInt8], PolicyLoader.ReadFailure> {
        do {
            return .success(try InputReader.read(path))
        } catch {
            return .failure(PolicyLoader.ReadFailure(reason: error.reason))
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func format(_ value: Double) -> String { String(format2: value) }
    static func percent(_ value: Double) -> String { String(format2: value * 100) + "%" }
}

extension String {
    /// Two decimals.
    init(format2 value: Double) {
        let scaled = Int((value * 100).rounded())
        self = "\(scaled / 100).\(String(100 + abs(scaled) % 100).dropFirst())"
    }
}
