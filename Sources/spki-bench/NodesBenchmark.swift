import ArgumentParser
import Backends
import Foundation
import RSA

/// `spki-bench nodes`: builds and writes the per-host bundles of a generated plan of the
/// compiler benchmark's size, and reports the wall time and the bytes written.
struct NodesBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "Benchmark the per-host bundles (HIP peers, ESP schedules, VM configs, signed manifests).",
        discussion: """
            Generates a plan of --hosts hosts and --vms VMs in VPXIs of 100 VMs (each VM linked \
            to its VPXI's first VM and to the next one), three weeks renewed every 12 h with \
            36-hour certificates, keys for the epochs the certificates of one run cover; then \
            builds every bundle on all cores and writes them to a temporary folder. \
            Target: under 20% of the compile time of the same policy.

            With --policy, measures instead the bundles of the compiler benchmark's own policy \
            (`spki-bench compile`'s: --hosts hosts, --vms machines, --users, --vpxis) right \
            after compiling it in the same process, as `spkic compile --nodes` does, and \
            prints the ratio of the two. Its keys live in --work-dir (shared with \
            `spki-bench compile`; made once, minutes).

            Examples:
              spki-bench nodes
              spki-bench nodes --hosts 200 --vms 1000
              spki-bench nodes --policy
              spki-bench nodes --policy --links
              spki-bench nodes --policy --hosts 200 --vms 1000 --users 100 --vpxis 4
            """)

    @Flag(help: "Bundles of the compiler benchmark's policy, after compiling it, with the ratio to the compile time.")
    var policy = false

    @Flag(help: "With --policy: add links to each vpxi (every machine to the first and to the next; the policy has none).")
    var links = false

    @Option(help: "With --policy: users (split evenly over the vpxis).")
    var users = 500

    @Option(help: "With --policy: vpxis.")
    var vpxis = 20

    @Option(help: "With --policy: where the policy, keys and outputs go (kept between runs: keys are costly).")
    var workDir = "/tmp/spkic-bench-compile"

    @Option(help: "Physical hosts.")
    var hosts = 2000

    @Option(help: "Virtual machines.")
    var vms = 10000

    @Flag(help: "Key every epoch of the window instead of those one run's certificates cover.")
    var wholeWindow = false

    @Option(name: .short, help: "Write the bundles to DIR and keep them (default: a temporary folder, removed).")
    var output: String?

    func run() throws {
        if policy {
            var generated = CompileBenchmarkPolicy(hosts: hosts, machines: vms, users: users, vpxis: vpxis)
            generated.perUser = min(150, max(1, generated.machinesPerVPXI / 2))
            print(try NodesPolicyBenchmark(policy: generated, workDir: workDir, links: links).run())
            return
        }
        var shape = BundleBenchmark.Shape()
        shape.hosts = hosts
        shape.vms = vms
        if wholeWindow { shape.keyHorizon = nil }
        let registrar = try RSAKeyGenerator.generate(bits: 2048)
        let plan = try BundleBenchmark.plan(shape, registrar: registrar)
        let secrets = try BundleSecrets(espMasterKey: BundleSecrets.generate())
        let directory = output ?? FileManager.default.temporaryDirectory.appendingPathComponent("spki-bench-nodes-\(UUID().uuidString)").path
        defer { if output == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let m = try BundleBenchmark.run(plan, secrets: secrets, directory: directory)
        func f(_ value: Double) -> String { String(format: "%.2f", value) }
        print("""
            nodes: \(m.hosts) hosts, \(m.vms) VMs, \(m.links) links, \(m.securityAssociations) SAs
                                          wall       processor (all threads)
              resolve (HITs, LSIs, SPIs)  \(f(m.resolveSeconds)) s     \(f(m.resolveCPUSeconds)) s
              build (wrap, sign)          \(f(m.buildSeconds)) s     \(f(m.buildCPUSeconds)) s   on \(ProcessInfo.processInfo.activeProcessorCount) cores
              write (atomic, syncfs)      \(f(m.writeSeconds)) s     \(f(m.writeCPUSeconds)) s
              total                       \(f(m.totalSeconds)) s     \(f(m.cpuSeconds)) s
              written                     \(m.files) files, \(String(format: "%.1f", Double(m.bytes) / 1_048_576)) MiB
            """)
    }
}
