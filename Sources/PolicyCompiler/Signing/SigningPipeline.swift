import Dispatch
import RSA
import SPKI
import Synchronization

/// Signs a plan's certs on background threads (one per core), vpxi after vpxi, so that a
/// vpxi's output can be written as soon as its signatures are made while the following
/// vpxis are being signed: `OutputWriter` waits for each vpxi in turn
/// (`signatures(ofVPXI:)`), and the result is the same whatever the threads' timing.
///
/// Every cert's origin is known before any signature is made (`origins`): a cert is
/// `.reused` or `.merged` when `known` says so, `.signed` when its issuer's key is in the
/// store, `.pending` otherwise. The signatures are held until `finish()` (the per-host
/// bundles need them), so the only thing the pipeline queues between signing and writing
/// is the signatures themselves (about 600 bytes per cert); the texts of one vpxi at a time
/// are rendered by the writer.
final class SigningPipeline: @unchecked Sendable {
    /// Each cert's origin, final unless signing fails.
    let origins: [CertSigner.Origin]

    /// The certs of each vpxi, in the order they are signed.
    private struct Chunk {
        let vpxi: Int
        /// Positions in `order`.
        let positions: Range<Int>
    }

    private struct State {
        var next = 0
        /// Chunks of each vpxi not signed yet; a vpxi is ready at 0.
        var remaining: [Int]
        var failure: CertSigner.Failure?
        var rsa = Duration.zero
        /// The wall-clock span each thread was signing.
        var spans: [(start: ContinuousClock.Instant, end: ContinuousClock.Instant)] = []
    }

    private let certs: [CertPlan.PlannedCert]
    private let signers: [PrincipalID: RSAPrivateKey]
    private let order: [Int]
    private let chunks: [Chunk]
    /// One slot per cert: written by the one thread that signs it (or at set-up for known
    /// signatures), read only after its vpxi's semaphore (or the end of every thread).
    private let slots: UnsafeMutablePointer<SPKISignature?>
    private let state: Mutex<State>
    /// Signalled once per vpxi, when its last chunk is signed (or signing failed).
    private let ready: [DispatchSemaphore]
    private let group = DispatchGroup()
    /// When the threads were started: the signing stage's span begins no earlier.
    let started = ContinuousClock.now

    /// Certs per unit of work: small enough that a vpxi's last certs are spread over the
    /// threads, large enough that a signer's blinding set-up serves several certs.
    static let chunkSize = 64

    /// Starts signing every cert of `plan` whose issuer has a key in `signers`, unless
    /// `known` says where its signature comes from (by digest): `.reused` from the
    /// previous output (no signature here: the writer reads the old one back), or `.merged`.
    init(_ plan: CertPlan, signers: [PrincipalID: RSAPrivateKey], known: [[UInt8]: (SPKISignature?, CertSigner.Origin)] = [:],
         threads: Int = Parallel.cores) {
        let certs = plan.certs
        self.certs = certs
        self.signers = signers
        slots = .allocate(capacity: max(1, certs.count))
        slots.initialize(repeating: nil, count: max(1, certs.count))
        let vpxis = max(plan.epochs.count, (certs.lazy.map(\.vpxi).max() ?? -1) + 1)
        var origins = [CertSigner.Origin](repeating: .pending, count: certs.count)
        var todo = [[Int]](repeating: [], count: vpxis)
        for (index, planned) in certs.enumerated() {
            if let (signature, origin) = known[planned.digest] {
                slots[index] = signature
                origins[index] = origin
            } else if signers[planned.issuer.key.id] != nil {
                origins[index] = .signed
                todo[planned.vpxi].append(index)
            }
        }
        self.origins = origins
        // Vpxi by vpxi; in each, consecutive certs of one issuer share a signer (and its
        // scratch space).
        var order: [Int] = []
        var chunks: [Chunk] = []
        var remaining = [Int](repeating: 0, count: vpxis)
        for (v, indices) in todo.enumerated() {
            let start = order.count
            order += indices.sorted { (certs[$0].issuer.key.id, $0) < (certs[$1].issuer.key.id, $1) }
            for lower in stride(from: start, to: order.count, by: Self.chunkSize) {
                chunks.append(Chunk(vpxi: v, positions: lower..<min(order.count, lower + Self.chunkSize)))
                remaining[v] += 1
            }
        }
        self.order = order
        self.chunks = chunks
        ready = (0..<vpxis).map { _ in DispatchSemaphore(value: 0) }
        for v in 0..<vpxis where remaining[v] == 0 { ready[v].signal() }
        state = Mutex(State(remaining: remaining))
        guard !chunks.isEmpty else { return }
        for thread in 0..<max(1, min(threads, chunks.count)) {
            group.enter()
            DispatchQueue(label: "spkic.signing.\(thread)").async { [self] in
                work()
                group.leave()
            }
        }
    }

    deinit {
        slots.deinitialize(count: max(1, certs.count))
        slots.deallocate()
    }

    /// One thread's loop: claim the next chunk, sign it, report it.
    private func work() {
        var start: ContinuousClock.Instant?
        while let chunk = claim() {
            if start == nil { start = .now }
            let outcome = sign(chunk)
            state.withLock { state in
                switch outcome {
                case .success(let spent):
                    state.rsa += spent
                    guard state.remaining[chunk.vpxi] > 0 else { return }  // signing failed meanwhile
                    state.remaining[chunk.vpxi] -= 1
                    if state.remaining[chunk.vpxi] == 0 { ready[chunk.vpxi].signal() }
                case .failure(let failure):
                    if state.failure == nil { state.failure = failure }
                    stop(&state)
                }
            }
        }
        if let start { state.withLock { $0.spans.append((start, .now)) } }
    }

    private func claim() -> Chunk? {
        state.withLock { state in
            guard state.next < chunks.count else { return nil }
            defer { state.next += 1 }
            return chunks[state.next]
        }
    }

    /// No more chunks are claimed, and every vpxi still waited for is released.
    private func stop(_ state: inout State) {
        state.next = chunks.count
        for v in state.remaining.indices where state.remaining[v] > 0 {
            state.remaining[v] = 0
            ready[v].signal()
        }
    }

    /// Signs one chunk into the slots; the RSA time is the signatures and each new signer's
    /// first blinding pair (a random value, its inverse and its power: RSA work, once per
    /// issuer and chunk).
    private func sign(_ chunk: Chunk) -> Result<Duration, CertSigner.Failure> {
        var cache: [PrincipalID: RSASigner] = [:]
        var spent = Duration.zero
        for position in chunk.positions {
            let index = order[position]
            let planned = certs[index]
            let id = planned.issuer.key.id
            do {
                let start = ThreadClock.now()
                let signer: RSASigner
                if let cached = cache[id] {
                    signer = cached
                } else {
                    signer = try RSASigner(key: signers[id]!)
                    cache[id] = signer
                }
                // The plan has the cert's SHA-256 already: sign it without hashing again.
                let value = try signer.sign(digest: planned.digest, hash: .sha256)
                spent += ThreadClock.now() - start
                slots[index] = SPKISignature(hash: .sha256, digest: planned.digest, principal: planned.issuer.key.hash,
                                             algorithm: SPKISignature.algorithmWord(.sha256), signature: value)
            } catch {
                return .failure(CertSigner.Failure(message: "cannot sign as \(planned.issuer.name): \(error.message)"))
            }
        }
        return .success(spent)
    }

    /// The signatures of vpxi `v`'s certs (`range` of the plan), once they are all made:
    /// nil for pending and reused certs. Nil when signing failed (`finish()` says why).
    func signatures(ofVPXI v: Int, range: Range<Int>) -> VPXISignatures? {
        if v < ready.count {
            ready[v].wait()
            ready[v].signal()  // for any later wait
        }
        guard state.withLock({ $0.failure == nil }) else { return nil }
        return VPXISignatures(base: range.lowerBound, values: Array(UnsafeBufferPointer(start: slots + range.lowerBound, count: range.count)))
    }

    /// Why signing failed, if it did.
    var failure: CertSigner.Failure? { state.withLock { $0.failure } }

    /// Stops signing (what is being signed is finished) and waits for the threads.
    func cancel() {
        state.withLock { stop(&$0) }
        group.wait()
    }

    /// Waits for every signature; the result, or the first failure.
    func finish() throws(CertSigner.Failure) -> CertSigner.Result {
        group.wait()
        let (failure, rsa, spans) = state.withLock { ($0.failure, $0.rsa, $0.spans) }
        if let failure { throw failure }
        let signatures = Array(UnsafeBufferPointer(start: slots, count: certs.count))
        return CertSigner.Result(signatures: signatures, origins: origins, signingTime: rsa,
                                 signingSpans: Self.union(spans).map { $0.end - $0.start }.reduce(.zero, +),
                                 signingStart: spans.map(\.start).min(), signingEnd: spans.map(\.end).max())
    }

    /// The spans merged where they overlap.
    static func union(_ spans: [(start: ContinuousClock.Instant, end: ContinuousClock.Instant)])
        -> [(start: ContinuousClock.Instant, end: ContinuousClock.Instant)] {
        var merged: [(start: ContinuousClock.Instant, end: ContinuousClock.Instant)] = []
        for span in spans.sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, span.start <= last.end {
                merged[merged.count - 1].end = max(last.end, span.end)
            } else {
                merged.append(span)
            }
        }
        return merged
    }
}

/// One vpxi's signatures, by plan index.
struct VPXISignatures: Sendable {
    let base: Int
    let values: [SPKISignature?]

    subscript(index: Int) -> SPKISignature? { values[index - base] }
}
