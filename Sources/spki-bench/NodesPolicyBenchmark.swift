#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import Backends
import Diagnostics
import PolicyCompiler
import PolicyLanguage
import RSA
import SExpr
import ToolSupport

/// `spki-bench nodes --policy`: the bundles of the compiler benchmark's policy
/// (`CompileBenchmarkPolicy`), measured in the same process right after the compilation
/// they follow (`spkic compile --nodes`), so the ratio to the compile time is of one run.
struct NodesPolicyBenchmark {
    var policy: CompileBenchmarkPolicy
    /// The compile benchmark's work directory (its keys are reused; host keys and the ESP
    /// secret go to `host-keys/` there).
    var workDir: String
    /// Adds links to each vpxi (the compile benchmark's policy has none): every machine to
    /// the first and to the next, as in the generated plan of `spki-bench nodes`.
    var links = false

    struct Figures {
        var compile = 0.0
        var plan = 0.0
        var build = 0.0
        var write = 0.0
        var report: NodeOutput.Report?
        var logins = 0
        var links = 0
        var cpu = 0.0
    }

    func run() throws -> String {
        // The policy and the people's and machines' keys, as `spki-bench compile` makes them.
        var setup = try CompileBenchmark.parse(["--hosts", "\(policy.hosts)", "--machines", "\(policy.machines)", "--users", "\(policy.users)",
                                                "--vpxis", "\(policy.vpxis)", "--work-dir", workDir])
        try setup.validate()
        try setup.setUp(policy)
        Memory.resetPeak()
        var path = workDir + "/policy/bench.vp"
        if links {
            path = workDir + "/policy/bench-links.vp"
            try AtomicFile.write(Self.withLinks(policy.text(), machines: policy.machinesPerVPXI), to: path)
        }
        let store = KeyStoreDirectory(directories: [workDir + "/host-keys", workDir + "/vm-keys", workDir + "/people"])
        let at: Int64 = 1_796_083_200 + 3600
        let output = workDir + "/out-nodes-\(getpid())", nodes = workDir + "/nodes-\(getpid())"
        defer {
            FileSystemHelper.removeTree(output)
            FileSystemHelper.removeTree(workDir + "/.out-nodes-\(getpid()).spkic")
            FileSystemHelper.removeTree(nodes)
        }
        var figures = Figures()
        let clock = ContinuousClock()
        // The compilation as `spkic compile` runs it: parse, analyse, place, load the keys,
        // plan, sign, write.
        var start = clock.now
        let (analysis, placement) = try CompileBenchmark.analyze(path)
        let keys = try ResolvedKeys.resolve(analysis.model, store: store, generateMissing: false)
        let ir = InfrastructureIR(model: analysis.model, placement: placement, keys: keys)
        if ir.keys.hosts.count < analysis.model.hosts.count || !FileSystemHelper.exists(workDir + "/host-keys/" + NodeKeys.secretFileName) {
            // Once: the hosts' keys and the ESP secret (not timed; the compilation is run again).
            print("generating the hosts' keys in \(workDir)/host-keys (once)...")
            _ = try NodeKeys.load(ir, store: store, generateMissing: true)
            return try run()
        }
        let compilation = Compilation(ir: ir, at: at, policyName: "bench.vp")
        let result = try compilation.run(output: output, format: .advanced)
        figures.compile = Self.seconds(clock.now - start)
        // The bundles, from the compilation's plan and signatures (`spkic compile --nodes`).
        let cpuStart = Memory.processCPUSeconds()
        start = clock.now
        let nodeKeys = try NodeKeys.load(ir, store: store, generateMissing: false)
        let signatures = NodeLogins.Signatures(known: result.signing.signatures, signers: ir.keys.signers, output: output)
        let planned = try NodeBundlePlanner.plan(ir: ir, at: at, keys: nodeKeys, certs: result.plan, signatures: signatures)
        figures.plan = Self.seconds(clock.now - start)
        let report = try NodeOutput.write(planned.plan, secrets: nodeKeys.secrets, to: nodes)
        figures.build = Self.seconds(report.building)
        figures.write = Self.seconds(report.writing)
        figures.cpu = Memory.processCPUSeconds() - cpuStart
        figures.report = report
        figures.logins = planned.plan.logins.count
        figures.links = planned.plan.links.count
        return render(figures)
    }

    func render(_ f: Figures) -> String {
        let r = f.report!
        let nodes = f.plan + f.build + f.write
        func s(_ value: Double) -> String { String(format2: value) + " s" }
        return """
            ## spkic nodes on the compile benchmark's policy\(links ? " with links added" : ""): \(policy.hosts) hosts, \(policy.machines) machines, \(policy.users) users, \(policy.vpxis) vpxis

            cores: \(sysconf(Int32(_SC_NPROCESSORS_ONLN)))

            | stage | wall |
            |---|---:|
            | compile (plan, sign the certs, write) | \(s(f.compile)) |
            | nodes: plan (VMs, links, \(f.logins) logins with their chains) | \(s(f.plan)) |
            | nodes: build (\(r.securityAssociations) SAs wrapped, \(r.hosts) manifests signed) | \(s(f.build)) |
            | nodes: write (\(r.files) files) | \(s(f.write)) |
            | **nodes total** | **\(s(nodes))** |

            | measure | value | target |
            |---|---:|---|
            | bundles | \(r.hosts) hosts, \(r.vms) VMs, \(f.links) links | |
            | bytes written | \(r.bytes) (\(String(format2: Double(r.bytes) / 1_048_576)) MiB) in \(r.files) files | |
            | processor time of the nodes stages (all threads) | \(s(f.cpu)) | |
            | nodes / compile (wall) | \(String(format2: nodes / f.compile * 100))% | under 20% |
            """
    }

    /// The policy text with, in each vpxi, `link w[1] <-> w[2..N]` and `link w[k] <-> w[k+1]`.
    static func withLinks(_ text: String, machines: Int) -> String {
        var links = ["  link w[1] <-> w[2..\(machines)]"]
        if machines > 2 { for k in 2..<machines { links.append("  link w[\(k)] <-> w[\(k + 1)]") } }
        var out: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "  test {" { out += links.map { Substring($0) } }
            out.append(line)
        }
        return out.joined(separator: "\n")
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
