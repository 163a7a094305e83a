import Foundation
import Logging
import RSA
import ToolSupport

/// `vpxi-agent run`: watches its source (a bundle folder, polled through its manifest),
/// applies each new state only when all of it verifies (otherwise keeps the last good one
/// and logs why), runs the data plane and the SSH enforcers, removes what expires, starts
/// logins when their time comes, and writes the status file.
public final class AgentRuntime: Sendable {
    public struct Options: Sendable {
        public var source: AgentSource
        public var stateDirectory: String
        /// Where authorized_keys files go (`DIR/VM/ACCOUNT` for a bundle's logins); nil
        /// disables SSH enforcement.
        public var authorizedKeysDirectory: String?
        /// The TUN device; nil disables the data plane.
        public var tunName: String?
        public var listen: Locator
        /// Seconds an epoch keeps receiving around its boundaries.
        public var overlap: TimeInterval
        public var linkMTU: Int
        /// Seconds before a refused state (same manifest) is read again.
        public var retryRefused: TimeInterval
        /// Pulls the bundle from a registrar into the source's folder (`--registrar`); nil
        /// when the folder is filled by someone else.
        public var pull: RegistrarPull?
        /// Seconds between pulls.
        public var pullInterval: TimeInterval = 10
        /// Benchmark only: the data plane runs the null transform instead of AES-GCM (see
        /// `enableBenchmarkNullCipher(environment:)`). Off unless that call succeeded.
        public private(set) var benchmarkNullCipher = false

        /// The environment variable, and its value, without which the null transform is refused.
        public static let benchmarkNullCipherVariable = (name: "VPXI_AGENT_BENCHMARK_NULL_CIPHER", value: "cleartext")

        /// Turns on the benchmark's null transform (`vpxi-agent run --benchmark-null-cipher`,
        /// used by `scripts/bench-agent` to measure what the relay costs without AES-GCM): the
        /// SAs keep ESP's framing, sequence numbers and replay window, but payloads travel in
        /// clear with a zero ICV that nobody checks. Refused unless `environment` sets
        /// `VPXI_AGENT_BENCHMARK_NULL_CIPHER=cleartext`, the source is the JSON `--input` (never a
        /// bundle: no policy can select it) and the data plane runs. A peer running AES-GCM
        /// drops every such packet (its ICV does not verify).
        public mutating func enableBenchmarkNullCipher(environment: [String: String]) throws(AgentError) {
            let variable = Self.benchmarkNullCipherVariable
            guard environment[variable.name] == variable.value else {
                throw AgentError(.invalidInput, "--benchmark-null-cipher sends ESP payloads in clear and is for benchmarks only\n"
                                 + "help: set \(variable.name)=\(variable.value) in the environment to confirm, or leave the flag out")
            }
            guard case .input = source else {
                throw AgentError(.invalidInput, "--benchmark-null-cipher goes with a test --input file only, never with a bundle or a registrar\n"
                                 + "help: leave the flag out to run the bundle's SAs with AES-GCM")
            }
            guard tunName != nil else {
                throw AgentError(.invalidInput, "--benchmark-null-cipher needs the data plane (--tun NAME)")
            }
            benchmarkNullCipher = true
        }

        public init(source: AgentSource, stateDirectory: String, authorizedKeysDirectory: String?, tunName: String?,
                    listen: Locator, overlap: TimeInterval = 30, linkMTU: Int = 1500, retryRefused: TimeInterval = 5) {
            self.source = source
            self.stateDirectory = stateDirectory
            self.authorizedKeysDirectory = authorizedKeysDirectory
            self.tunName = tunName
            self.listen = listen
            self.overlap = overlap
            self.linkMTU = linkMTU
            self.retryRefused = retryRefused
        }
    }

    public let options: Options
    let hostKey: RSAPrivateKey
    let logger: Logger
    public let table: AssociationTable

    struct State {
        var appliedDigest: [UInt8] = []
        var appliedGeneratedAt: Date?
        var refused: (digest: [UInt8], reason: String, at: Date)?
        var lastApplied: Date?
        var lastError: String?
        var configuredHITs = Set<HIT>()
        var bundle: AgentBundle?
        var nextLoginStart: Date?
        /// One enforcer per VM (`""`: logins without a VM).
        var enforcers: [String: SSHEnforcer] = [:]
    }
    private let state = Locked(State())

    public init(options: Options, hostKey: RSAPrivateKey, logger: Logger) {
        self.options = options
        self.hostKey = hostKey
        self.logger = logger
        table = AssociationTable(overlap: options.overlap, benchmarkNullCipher: options.benchmarkNullCipher)
        // The time of the last bundle applied, kept across restarts: no rollback after one either.
        if let bytes = try? InputReader.read(generatedPath), let text = String(validating: bytes, as: UTF8.self),
           let seconds = TimeInterval(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            state.withLock { $0.appliedGeneratedAt = Date(timeIntervalSince1970: seconds) }
        }
    }

    /// `STATE/bundle-generated`: the `generated` time of the last bundle applied (seconds).
    var generatedPath: String { "\(options.stateDirectory)/bundle-generated" }

    /// Runs until SIGTERM or SIGINT.
    public func run() throws(AgentError) {
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGTERM)
        sigaddset(&signals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &signals, nil)  // before any thread starts: they inherit it

        do {
            try FileManager.default.createDirectory(atPath: options.stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw AgentError(.system, "cannot create \(options.stateDirectory): \(error.localizedDescription)")
        }
        var tun: TunDevice?
        var plane: DataPlane?
        if let name = options.tunName {
            let device = try TunDevice(name: name)
            try device.configure(hits: [], mtu: DataPlane.tunMTU(linkMTU: options.linkMTU))
            let socket = try UDPSocket(bind: options.listen)
            tun = device
            plane = DataPlane(tun: device, socket: socket, table: table, logger: logger)
        }
        pullFromRegistrar()
        reload(tun: tun)
        plane?.start()
        if options.benchmarkNullCipher {
            logger.warning("BENCHMARK MODE: null cipher, ESP payloads are sent in clear and not authenticated (--benchmark-null-cipher)")
        }
        logger.info("agent running", metadata: ["source": "\(options.source.path)", "tun": "\(options.tunName ?? "-")",
                                                "listen": "\(options.listen)"])
        var timeout = timespec(tv_sec: 0, tv_nsec: 100_000_000)
        var ticks = 0
        while true {
            let signal = sigtimedwait(&signals, nil, &timeout)
            if signal == SIGTERM || signal == SIGINT { break }
            ticks += 1
            tick(now: Date())
            if ticks % max(1, Int(options.pullInterval * 10)) == 0 { pullFromRegistrar() }
            if ticks % 5 == 0 { reload(tun: tun) }
            if ticks % 10 == 0 { writeStatus() }
        }
        logger.info("agent stopping")
        plane?.stop()
        writeStatus()
    }

    /// One pull from the registrar, if the agent pulls (`--registrar`): a new bundle lands
    /// in the source's folder, where the next reload verifies it like any other. A failed
    /// pull keeps what is there.
    public func pullFromRegistrar() {
        guard let pull = options.pull else { return }
        do throws(AgentError) {
            guard let vpxi = pull.vpxi else {
                pull.logAll(try pull.pullAll(), logger: logger)
                return
            }
            if case .updated(let etag) = try pull.pull() {
                logger.info("bundle pulled", metadata: ["registrar": "\(pull.base.absoluteString)", "vpxi": "\(vpxi)", "etag": "\(etag)"])
            }
        } catch {
            logger.error("bundle pull failed, keeping the last one", metadata: ["code": "\(error.code.rawValue)", "reason": "\(error.message)"])
        }
    }

    /// Removes expired SAs and logins, and starts the logins whose time has come.
    public func tick(now: Date = Date()) {
        let removed = table.expire(now: now)
        if !removed.isEmpty {
            logger.notice("SAs removed at expiry", metadata: ["spis": "\(removed.map(ESPCodec.hex))"])
        }
        let (enforcers, bundle, next) = state.withLock { ($0.enforcers, $0.bundle, $0.nextLoginStart) }
        for enforcer in enforcers.values { enforcer.enforce(now: now) }
        if let bundle, let next, next <= now {
            state.withLock { $0.nextLoginStart = bundle.nextLoginStart(after: now) }
            do throws(AgentError) {
                try applyLogins(try bundle.enforcedLogins(at: now), now: now)
                logger.info("logins started", metadata: ["at": "\(next)"])
            } catch {
                logger.error("logins not started", metadata: ["code": "\(error.code.rawValue)", "reason": "\(error.message)"])
            }
        }
    }

    /// Reads the source; applies it if it changed and all of it is valid.
    public func reload(tun: TunDevice? = nil, now: Date = Date()) {
        let probe: [UInt8]
        do {
            probe = try options.source.probe()
        } catch {
            refuse(digest: [], error.message, now: now)
            return
        }
        let skip = state.withLock { state in
            probe == state.appliedDigest
                || (state.refused.map { $0.digest == probe && now.timeIntervalSince($0.at) < options.retryRefused } ?? false)
        }
        if skip { return }
        do throws(AgentError) {
            let desired = try options.source.load(hostKey: hostKey, now: now)
            if options.source.checksRollback, let generated = desired.bundle?.generatedAt, let current = state.withLock({ $0.appliedGeneratedAt }),
               generated < current {
                throw AgentError(.bundleRefused, "the bundle was generated at \(CheckReport.format(generated)), before the one running (\(CheckReport.format(current)))")
            }
            for login in desired.logins { try login.validate() }
            if let tun {
                let known = state.withLock { $0.configuredHITs }
                let new = Set(desired.associations.map(\.localHIT)).subtracting(known)
                if !new.isEmpty {
                    try tun.configure(hits: Array(new), mtu: DataPlane.tunMTU(linkMTU: options.linkMTU))
                    state.withLock { $0.configuredHITs.formUnion(new) }
                }
            }
            try table.apply(desired.associations)
            try applyLogins(desired.logins, now: now)
            if let generated = desired.bundle?.generatedAt {
                do {
                    try FileManager.default.createDirectory(atPath: options.stateDirectory, withIntermediateDirectories: true)
                    try AtomicFile.write("\(Int64(generated.timeIntervalSince1970))\n", to: generatedPath, mode: 0o644)
                } catch {
                    logger.warning("cannot record the bundle's time", metadata: ["path": "\(generatedPath)", "reason": "\(error)"])
                }
            }
            state.withLock {
                $0.appliedDigest = desired.digest
                $0.appliedGeneratedAt = desired.bundle?.generatedAt
                $0.bundle = desired.bundle
                $0.nextLoginStart = desired.bundle?.nextLoginStart(after: now)
                $0.refused = nil
                $0.lastApplied = now
                $0.lastError = nil
            }
            logger.info("\(options.source.kind) applied", metadata: ["source": "\(options.source.path)", "sas": "\(desired.associations.count)",
                                                    "logins": "\(desired.logins.count)"])
        } catch {
            refuse(digest: probe, error.description, now: now)
        }
        writeStatus()
    }

    /// Writes every VM's logins; VMs that have none left lose their files and sessions.
    func applyLogins(_ logins: [AuthorizedLogin], now: Date) throws(AgentError) {
        guard let directory = options.authorizedKeysDirectory else { return }
        let groups = Dictionary(grouping: logins) { $0.vm ?? "" }
        let enforcers = state.withLock { state in
            for vm in groups.keys where state.enforcers[vm] == nil {
                state.enforcers[vm] = SSHEnforcer(directory: vm.isEmpty ? directory : "\(directory)/\(vm)", logger: logger)
            }
            return state.enforcers
        }
        for (vm, enforcer) in enforcers.sorted(by: { $0.key < $1.key }) {
            try enforcer.apply(groups[vm] ?? [], now: now)
        }
    }

    private func refuse(digest: [UInt8], _ reason: String, now: Date) {
        let repeated = state.withLock { state in
            defer {
                state.refused = (digest, reason, now)
                state.lastError = reason
            }
            return state.refused.map { $0.digest == digest && $0.reason == reason } ?? false
        }
        if !repeated {
            logger.error("\(options.source.kind) refused, keeping the last good one", metadata: ["source": "\(options.source.path)", "reason": "\(reason)"])
        }
    }

    /// The logins enforced now, over every VM.
    public var activeLogins: [AuthorizedLogin] {
        state.withLock { $0.enforcers }.values.flatMap(\.active)
    }

    public func writeStatus() {
        let (applied, error) = state.withLock { ($0.lastApplied, $0.lastError) }
        let report = StatusReport(updated: Date(), input: options.source.path, lastApplied: applied, lastError: error,
                                  table: table, logins: activeLogins)
        guard let data = try? AgentInput.encoder.encode(report) else { return }
        try? AtomicFile.write(Array(data), to: "\(options.stateDirectory)/status.json", mode: 0o644)
    }
}
