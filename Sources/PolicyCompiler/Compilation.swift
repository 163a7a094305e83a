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
        /// Reading the previous output and planning (`prepare`), and finding the signatures
        /// to reuse or merge.
        public var planning = Duration.zero
        /// Wall time during which at least one thread was signing, and the CPU time spent
        /// in RSA itself (all threads).
        public var signing = Duration.zero
        public var rsa = Duration.zero
        /// Wall time of signing and writing together (they overlap: each vpxi is written
        /// as soon as its signatures are made).
        public var writing = Duration.zero
        /// Wall time of the writing left after the last signature (the last vpxi, the
        /// manifest, syncing, publishing, cleaning up).
        public var afterSigning = Duration.zero
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
        return (plan, warnings(plan))
    }

    /// A compilation planned against the output it will write: the vpxis whose
    /// fingerprint matches the previous output's are carried over (`plan.carried`), the
    /// others planned.
    public struct Prepared: Sendable {
        public let plan: CertPlan
        /// W0131 for vpxis whose window ended.
        public let warnings: [Diagnostic]
        public let format: SExprText
        let previous: PreviousOutput?
        let fingerprints: [String]
        /// Reading the previous manifest and computing the fingerprints.
        public let loading: Duration
    }

    /// Reads the previous output of `output` (the manifest's header, and the records of
    /// the vpxis that changed) and plans what changed. With `carryOver` false (as when the
    /// per-host bundles need every cert of the plan), every vpxi is planned.
    public func prepare(output: String, format: SExprText, carryOver: Bool = true) throws(CompileFailure) -> Prepared {
        let clock = ContinuousClock()
        let start = clock.now
        let fingerprints = VPXIFingerprint.compute(ir, at: at, format: format)
        let names = ir.model.vpxis.map(\.name)
        let previous = try PreviousOutput.load(output, fingerprints: carryOver ? Dictionary(zip(names, fingerprints)) { first, _ in first } : nil)
        let carried = Set(names.indices.filter { previous?.carried.contains(names[$0]) ?? false })
        let loading = clock.now - start
        let plan = CertPlanner(ir: ir).plan(at: at, carried: carried)
        return Prepared(plan: plan, warnings: warnings(plan), format: format, previous: previous, fingerprints: fingerprints, loading: loading)
    }

    func warnings(_ plan: CertPlan) -> [Diagnostic] {
        var warnings: [Diagnostic] = []
        for (v, vpxi) in ir.model.vpxis.enumerated() where plan.epochs[v] == nil {
            warnings.append(SemanticError.windowEnded.diagnostic(
                "the window of vpxi `\(vpxi.name)` ended at \(TimeWindow.format(vpxi.window.end)), before the compilation time \(TimeWindow.format(at)); no certificates issued for it",
                at: vpxi.nameRange, label: "window ended",
                help: "compile at a time inside the window (`--at`), or extend the window"))
        }
        return warnings
    }

    /// Compiles into `output`. `signatureDirectories` are searched (after the output's
    /// own `pending/`) for signatures of pending requests.
    /// `planned` is the result of `plan()`, when the caller already has it: every vpxi is
    /// then planned again; without it, the vpxis unchanged since the previous output are
    /// carried over (as `prepare` then `run(_:output:)` do).
    public func run(output: String, format: SExprText, signatureDirectories: [String] = [],
                    planned: (CertPlan, [Diagnostic])? = nil) throws(CompileFailure) -> Result {
        guard let (plan, warnings) = planned else {
            return try run(prepare(output: output, format: format), output: output, signatureDirectories: signatureDirectories)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let previous = try PreviousOutput.load(output)
        let prepared = Prepared(plan: plan, warnings: warnings, format: format, previous: previous,
                                fingerprints: VPXIFingerprint.compute(ir, at: at, format: format), loading: clock.now - start)
        return try run(prepared, output: output, signatureDirectories: signatureDirectories)
    }

    /// Compiles what `prepare(output:format:)` planned into `output`.
    public func run(_ prepared: Prepared, output: String, signatureDirectories: [String] = []) throws(CompileFailure) -> Result {
        var timings = Timings()
        let clock = ContinuousClock()
        var start = clock.now
        let plan = prepared.plan
        let previous = prepared.previous
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
        timings.planning = clock.now - start + prepared.loading
        // Signing runs on every core while the writer writes each vpxi as soon as its
        // signatures are made (the vpxis in order, so the output does not depend on the
        // threads' timing).
        start = clock.now
        let pipeline = SigningPipeline(plan, signers: ir.keys.signers, known: known)
        let writer = OutputWriter(model: ir.model, plan: plan, pipeline: pipeline, previous: previous, format: prepared.format,
                                  policyName: policyName, at: at, fingerprints: prepared.fingerprints)
        let statistics: OutputWriter.Statistics
        do {
            statistics = try writer.write(to: output)
        } catch {
            pipeline.cancel()
            throw error
        }
        let end = clock.now
        let signing: CertSigner.Result
        do throws(CertSigner.Failure) {
            signing = try pipeline.finish()
        } catch {
            throw CompileFailure(error.message)
        }
        timings.signing = signing.signingWall
        timings.rsa = signing.signingTime
        timings.writing = end - start
        timings.afterSigning = signing.signingEnd.map { max(.zero, end - $0) } ?? end - start
        return Result(plan: plan, signing: signing, statistics: statistics, warnings: prepared.warnings, timings: timings)
    }
}
