import Diagnostics
import RSA
import SPKI

/// One compilation of an analysed, placed and keyed policy into an output directory:
/// plan the certs of the epoch in force, reuse or merge the signatures already made,
/// sign the rest in parallel, write the output atomically.
public struct Compilation: Sendable {
    public let ir: InfrastructureIR
    /// The compilation time (seconds since the epoch): it picks each vpxi's epoch.
    public let at: Int64
    /// The policy's file name, recorded in the manifest.
    public let policyName: String

    public init(ir: InfrastructureIR, at: Int64, policyName: String) {
        self.ir = ir
        self.at = at
        self.policyName = policyName
    }

    public struct Timings: Sendable {
        public var planning = Duration.zero
        /// Wall time of the signing stage, and the time spent in RSA itself (all threads).
        public var signing = Duration.zero
        public var rsa = Duration.zero
        public var writing = Duration.zero
    }

    public struct Result: Sendable {
        public let plan: CertPlan
        public let signing: CertSigner.Result
        public let statistics: OutputWriter.Statistics
        /// W0131 for vpxis whose window ended.
        public let warnings: [Diagnostic]
        public let timings: Timings
    }

    /// The outcome of every expectation of the policy (using `plan`'s certs where its
    /// epochs are those tested).
    public func checkExpectations(reusing plan: CertPlan? = nil) -> [ExpectationChecker.Outcome] {
        ExpectationChecker.check(ir, at: at, reusing: plan)
    }

    /// The plan at `at`, and a warning for each vpxi whose window has ended.
    public func plan() -> (CertPlan, [Diagnostic]) {
        let plan = CertPlanner(ir: ir).plan(at: at)
        var warnings: [Diagnostic] = []
        for (v, vpxi) in ir.model.vpxis.enumerated() where plan.epochs[v] == nil {
            warnings.append(SemanticError.windowEnded.diagnostic(
                "the window of vpxi `\(vpxi.name)` ended at \(TimeWindow.format(vpxi.window.end)), before the compilation time \(TimeWindow.format(at)); no certificates issued for it",
                at: vpxi.nameRange, label: "window ended",
                help: "compile at a time inside the window (`--at`), or extend the window"))
        }
        return (plan, warnings)
    }

    /// Compiles into `output`. `signatureDirectories` are searched (after the output's
    /// own `pending/`) for signatures of pending requests.
    /// `planned` is the result of `plan()`, when the caller already has it.
    public func run(output: String, format: SExprText, signatureDirectories: [String] = [],
                    planned: (CertPlan, [Diagnostic])? = nil) throws(CompileFailure) -> Result {
        var timings = Timings()
        let clock = ContinuousClock()
        var start = clock.now
        let (plan, warnings) = planned ?? self.plan()
        let previous = try PreviousOutput.load(output)
        var known: [[UInt8]: (SPKISignature?, CertSigner.Origin)] = [:]
        let pendingDirectories = (previous.map { [$0.path("pending")] } ?? []) + signatureDirectories
        for planned in plan.certs {
            if let previous, previous.signedCerts.contains(planned.hex) {
                known[planned.digest] = (nil, .reused)
            } else if ir.keys.signers[planned.issuer.key.id] == nil, !pendingDirectories.isEmpty,
                      let signature = PreviousOutput.mergedSignature(for: planned, in: pendingDirectories) {
                known[planned.digest] = (signature, .merged)
            }
        }
        timings.planning = clock.now - start
        start = clock.now
        let signing: CertSigner.Result
        do throws(CertSigner.Failure) {
            signing = try CertSigner.sign(plan, signers: ir.keys.signers, known: known)
        } catch {
            throw CompileFailure(error.message)
        }
        timings.signing = clock.now - start
        timings.rsa = signing.signingTime
        start = clock.now
        let writer = OutputWriter(model: ir.model, plan: plan, signing: signing, previous: previous, format: format,
                                  policyName: policyName, at: at)
        let statistics = try writer.write(to: output)
        timings.writing = clock.now - start
        return Result(plan: plan, signing: signing, statistics: statistics, warnings: warnings, timings: timings)
    }
}
