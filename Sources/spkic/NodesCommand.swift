import ArgumentParser
import Backends
import Diagnostics
import PolicyCompiler
import RSA
import SExpr
import ToolSupport

struct NodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "Write the per-host bundles of a policy: HIP peers, ESP key schedules, VM configs, logins, signed manifests.",
        discussion: """
            Analyses and places the policy, then writes one folder per physical host into DIR \
            (each atomically): its VMs' peers (HITs, locators; HIPL, OpenHIP and DNS exports), \
            the ESP security associations of each link for the epochs the certificates of this \
            run cover (keys wrapped to the host's key, and an `ip xfrm` script), libvirt (and \
            Xen) configs, who may log into each VM with the proving chain, and a manifest \
            signed by the host's registrar. Docs/nodes.md describes a bundle.

            The key store holds each host's key under the host's name (HOST.key or HOST.pub), \
            the registrars' private keys, and the ESP master secret (esp-master.secret); \
            --generate-missing-keys makes the missing host keys and the secret.

            Exit status: 0 written; 1 placement impossible; 2 bad input (errors in the policy, \
            missing keys, an unwritable DIR); 3 internal error.

            Examples:
              spkic nodes bronze-standard.vp -o nodes --keys keys --generate-missing-keys
              spkic nodes policy.vp -o /srv/nodes --keys /etc/spkic/keys --at 2026-12-02T08:00Z
            """)

    @Argument(help: "The policy file.")
    var file: String

    @Option(name: .short, help: ArgumentHelp("The output directory: one folder per host, each replaced atomically.", valueName: "DIR"))
    var output: String

    @OptionGroup var options: CompilationOptions

    func run() throws {
        let time = try options.time
        let (input, analysis) = try PolicyInput.loadForCompilation(file)
        let ir = try options.infrastructure(analysis)
        let keys = try NodesRun.keys(ir, options: options, sources: input.loaded.sources)
        try NodesRun.write(ir, at: time, keys: keys, to: output, sources: input.loaded.sources)
    }
}

/// `spkic nodes` and `spkic compile --nodes`: the bundles after the certificates.
enum NodesRun {
    /// The host keys and ESP secret (generated when asked): loaded before anything is
    /// written, so that a missing key leaves every output untouched.
    static func keys(_ ir: InfrastructureIR, options: CompilationOptions, sources: SourceManager) throws -> NodeKeys {
        do throws(NodePlanningError) {
            return try NodeKeys.load(ir, store: KeyStoreDirectory(directories: options.keyDirectories),
                                     generateMissing: options.generateMissingKeys)
        } catch {
            throw failure(error, sources: sources)
        }
    }

    /// Plans, builds and writes the bundles into `directory` and prints a summary. With a
    /// compilation's result, its plan and signatures are used (`output`: its directory,
    /// where the signatures of reused certs are read back from `certs/<vpxi>`).
    static func write(_ ir: InfrastructureIR, at time: Int64, keys: NodeKeys, to directory: String, sources: SourceManager,
                      compiled: (result: Compilation.Result, output: String)? = nil) throws {
        let planned: NodeBundlePlanner.Result
        let report: NodeOutput.Report
        do throws(NodePlanningError) {
            var signatures: NodeLogins.Signatures?
            if let compiled {
                signatures = NodeLogins.Signatures(known: compiled.result.signing.signatures, signers: ir.keys.signers,
                                                   output: compiled.output)
            }
            planned = try NodeBundlePlanner.plan(ir: ir, at: time, keys: keys, certs: compiled?.result.plan, signatures: signatures)
            report = try NodeOutput.write(planned.plan, secrets: keys.secrets, to: directory)
        } catch {
            throw failure(error, sources: sources)
        }
        if !planned.pendingLogins.isEmpty {
            let first = planned.pendingLogins.prefix(3).map { "\($0.user) on \($0.vpxi)/\($0.machine)" }.joined(separator: ", ")
            Console.err("warning: \(planned.pendingLogins.count) login\(planned.pendingLogins.count == 1 ? "" : "s") left out of the bundles, their chains not signed yet (\(first)\(planned.pendingLogins.count > 3 ? ", …" : "")): sign the pending requests and run again")
        }
        if !planned.unregisteredHosts.isEmpty {
            Console.err("warning: no bundle for \(planned.unregisteredHosts.count) host\(planned.unregisteredHosts.count == 1 ? "" : "s") registered with no registrar (\(planned.unregisteredHosts.prefix(3).joined(separator: ", ")))")
        }
        var lines = ["nodes: \(report.hosts) bundle\(report.hosts == 1 ? "" : "s") in \(directory): \(report.vms) VMs, \(planned.plan.links.count) links, \(report.securityAssociations) ESP SAs, \(report.logins) logins; \(report.files) files, \(report.bytes) bytes"]
        if !keys.generated.isEmpty {
            lines.append("generated in the key store: \(keys.generated.count <= 4 ? keys.generated.joined(separator: ", ") : keys.generated.prefix(3).joined(separator: ", ") + " and \(keys.generated.count - 3) more")")
        }
        Console.out(lines.joined(separator: "\n") + "\n")
    }

    /// B050–B057 (a bundle found not whole) → 1; B030 (a cryptographic failure: a bug) → 3;
    /// the rest is bad input → 2. An error about a policy declaration is printed as a
    /// diagnostic first.
    static func failure(_ error: NodePlanningError, sources: SourceManager) -> CommandFailure {
        let status: ExitStatus = error.error.isVerificationFailure ? .refused : (error.error.code == .cryptoFailure ? .internalError : .badInput)
        if let diagnostic = error.diagnostic {
            Console.err(String(DiagnosticOutput.render([diagnostic], sources: sources, format: .human).dropLast()))
            return CommandFailure(status, "no bundle written [\(error.error.code.rawValue)]")
        }
        return CommandFailure(status, error.description + (status == .internalError ? "\nthis is a bug in spkic: please report it with the command that failed" : ""))
    }
}
