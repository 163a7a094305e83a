import Foundation
import Hashing
import Logging
import RSA
import ToolSupport

/// `vpxi-agent run`: watches the input, applies each new one only when all of it is
/// valid (otherwise keeps the last good one and logs why), runs the data plane and the SSH
/// enforcer, removes what expires, and writes the status file.
public final class AgentRuntime: Sendable {
    public struct Options: Sendable {
        public var inputPath: String
        public var stateDirectory: String
        /// Where authorized_keys files go; nil disables SSH enforcement.
        public var authorizedKeysDirectory: String?
        /// The TUN device; nil disables the data plane.
        public var tunName: String?
        public var listen: Locator
        /// Seconds an epoch keeps receiving around its boundaries.
        public var overlap: TimeInterval
        public var linkMTU: Int

        public init(inputPath: String, stateDirectory: String, authorizedKeysDirectory: String?, tunName: String?,
                    listen: Locator, overlap: TimeInterval = 30, linkMTU: Int = 1500) {
            self.inputPath = inputPath
            self.stateDirectory = stateDirectory
            self.authorizedKeysDirectory = authorizedKeysDirectory
            self.tunName = tunName
            self.listen = listen
            self.overlap = overlap
            self.linkMTU = linkMTU
        }
    }

    let options: Options
    let hostKey: RSAPrivateKey
    let logger: Logger
    public let table: AssociationTable
    let enforcer: SSHEnforcer?

    struct State {
        var inputDigest: [UInt8] = []
        var lastApplied: Date?
        var lastError: String?
        var configuredHITs = Set<HIT>()
    }
    private let state = Locked(State())

    public init(options: Options, hostKey: RSAPrivateKey, logger: Logger) {
        self.options = options
        self.hostKey = hostKey
        self.logger = logger
        table = AssociationTable(overlap: options.overlap)
        enforcer = options.authorizedKeysDirectory.map { SSHEnforcer(directory: $0, logger: logger) }
    }

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
        reload(tun: tun)
        plane?.start()
        logger.info("agent running", metadata: ["input": "\(options.inputPath)", "tun": "\(options.tunName ?? "-")",
                                                "listen": "\(options.listen)"])
        var timeout = timespec(tv_sec: 0, tv_nsec: 100_000_000)
        var ticks = 0
        while true {
            let signal = sigtimedwait(&signals, nil, &timeout)
            if signal == SIGTERM || signal == SIGINT { break }
            ticks += 1
            let now = Date()
            let removed = table.expire(now: now)
            if !removed.isEmpty {
                logger.notice("SAs removed at expiry", metadata: ["spis": "\(removed.map(ESPCodec.hex))"])
            }
            enforcer?.enforce(now: now)
            if ticks % 5 == 0 { reload(tun: tun) }
            if ticks % 10 == 0 { writeStatus() }
        }
        logger.info("agent stopping")
        plane?.stop()
        writeStatus()
    }

    /// Reads the input; applies it if it changed and all of it is valid.
    public func reload(tun: TunDevice? = nil) {
        guard let bytes = try? InputReader.read(options.inputPath) else {
            refuse("cannot read \(options.inputPath)")
            return
        }
        let digest = HashAlgorithm.sha256.digest(bytes)
        guard digest != state.withLock({ $0.inputDigest }) else { return }
        state.withLock { $0.inputDigest = digest }
        do {
            let (associations, logins) = try AgentInput.decode(bytes).resolve(hostKey: hostKey)
            try AssociationTable.validate(associations)
            if let tun {
                let known = state.withLock { $0.configuredHITs }
                let new = Set(associations.map(\.localHIT)).subtracting(known)
                if !new.isEmpty {
                    try tun.configure(hits: Array(new), mtu: DataPlane.tunMTU(linkMTU: options.linkMTU))
                    state.withLock { $0.configuredHITs.formUnion(new) }
                }
            }
            try table.apply(associations)
            try enforcer?.apply(logins)
            state.withLock {
                $0.lastApplied = Date()
                $0.lastError = nil
            }
            logger.info("input applied", metadata: ["sas": "\(associations.count)", "logins": "\(logins.count)"])
        } catch {
            refuse(error.description)
        }
        writeStatus()
    }

    private func refuse(_ reason: String) {
        state.withLock { $0.lastError = reason }
        logger.error("input refused, keeping the last good one", metadata: ["reason": "\(reason)"])
    }

    func writeStatus() {
        let (applied, error) = state.withLock { ($0.lastApplied, $0.lastError) }
        let report = StatusReport(updated: Date(), input: options.inputPath, lastApplied: applied, lastError: error,
                                  table: table, logins: enforcer?.active ?? [])
        guard let data = try? AgentInput.encoder.encode(report) else { return }
        try? AtomicFile.write(Array(data), to: "\(options.stateDirectory)/status.json", mode: 0o644)
    }
}
