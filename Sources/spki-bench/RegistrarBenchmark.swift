import ArgumentParser
import Dispatch
import Foundation
import Logging
import RSA
import Registrar
import SExpr
import SPKI
import Synchronization

struct RegistrarBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registrar",
        abstract: "vpxi-registrar's renewal issuance against the raw RSA signing rate of its own key, in the same run.",
        discussion: """
            Sets up a registrar (in process, no HTTP) on a fresh database with a pool of \
            demo hosts and --vpxis VPXIs of --machines machines, each granting two users \
            rights on every machine. Then, for each of --epochs renewal epochs, it moves the \
            registrar's clock to a minute before the epoch and times one renewal pass \
            (`RegistrarService.renewDue`: every VPXI's next certificates, chains and bundles, \
            recorded in one transaction per VPXI), and, alternating with it, the raw \
            signing rate of the registrar's key (`RSASigner` through `SPKISignature.sign`, \
            on as many threads as cores). Each renewal signs one cert per registrar-issued \
            cert and one manifest per host bundle; the ratio compares those signatures per \
            second with the raw rate, both in wall-clock time and per CPU second (the \
            process's CPU time during the pass, the signing thread's for the raw rate).

            Examples:
              swift run -c release spki-bench registrar
              swift run -c release spki-bench registrar --db postgres://registrar@127.0.0.1:18432/registrar?sslmode=disable
              swift run -c release spki-bench registrar --vpxis 40    # 5 times the default pass (keys generated once)
              perf record -g -D -1 --control fifo:ctl,ack -- spki-bench registrar --vpxis 40 --epochs 12 --perf-control ctl,ack
                                                                       # a profile of the warm passes only (scripts/profile-registrar.sh)
            """)

    @Option(help: "The database: an SQLite file (default: a new one in a temporary folder) or a postgres:// URL (an empty database).")
    var db: String?

    @Option(help: "The folder of the demo keys (lyon.key, alice.key, erin.key, user-NN.key).")
    var keys: String = "corpus/keys"

    @Option(help: "VPXIs renewed at each epoch (8, the default, is the size earlier runs measured; more make a longer pass).")
    var vpxis: Int = 8

    @Option(help: "Machines per VPXI (one slot each; at most 400 slots in all; past 40, keys are generated once into --generated-keys).")
    var machines: Int = 4

    @Option(help: "The folder of the slot and host keys generated beyond the demo keys (kept for later runs).")
    var generatedKeys: String = ".build/spki-bench-registrar-keys"

    @Option(help: "Renewal epochs measured.")
    var epochs: Int = 3

    @Option(help: "VPXIs renewed at once (default: one per core).")
    var width: Int?

    @Option(help: "Seconds per raw signing measurement.")
    var seconds: Double = 1.0

    @Option(help: ArgumentHelp("perf record's control and acknowledgement FIFOs: the warm passes (epoch 2 on) are recorded, nothing else.", valueName: "CTL,ACK"))
    var perfControl: String?

    func validate() throws {
        guard width.map({ $0 > 0 }) ?? true else { throw ValidationError("--width must be positive") }
        guard vpxis > 0, machines > 0, vpxis * machines <= 400 else { throw ValidationError("--vpxis × --machines must be between 1 and 400") }
        guard epochs > 0, epochs <= 40 else { throw ValidationError("--epochs must be between 1 and 40") }
    }

    func run() throws {
        let options = RegistrarRenewalRun.Options(db: db, keys: keys, generatedKeys: generatedKeys, vpxis: vpxis, machines: machines, epochs: epochs, width: width, seconds: seconds, perfControl: perfControl)
        let report = try AsyncBridge.run { try await RegistrarRenewalRun(options: options).measure() }
        print(report)
    }
}

/// Runs an async body to completion from synchronous code (the benchmarks' commands are
/// synchronous): the main thread waits while the body runs on the global executor.
enum AsyncBridge {
    final class Outcome<T: Sendable>: Sendable {
        let value = Mutex<Result<T, any Error>?>(nil)
    }

    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            let value: Result<T, any Error>
            do { value = .success(try await body()) } catch { value = .failure(error) }
            outcome.value.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return try outcome.value.withLock { $0! }.get()
    }
}

/// One run of the renewal benchmark.
struct RegistrarRenewalRun: Sendable {
    struct Options: Sendable {
        var db: String?
        var keys: String
        var generatedKeys: String
        var vpxis: Int
        var machines: Int
        var epochs: Int
        var width: Int?
        var seconds: Double
        var perfControl: String?
    }

    let options: Options
    let start: Int64 = Int64(Date().timeIntervalSince1970)

    /// The registrar's clock, moved by the benchmark.
    final class BenchTime: Sendable {
        let value: Mutex<Int64>
        init(_ now: Int64) { value = Mutex(now) }
        var now: Int64 { value.withLock { $0 } }
        func set(_ now: Int64) { value.withLock { $0 = now } }
    }

    var pool: RegistrarBenchmarkKeys { RegistrarBenchmarkKeys(demo: options.keys, generated: options.generatedKeys) }

    func key(_ name: String) throws -> RSAKeyFile { try pool.key(name) }

    func measure() async throws -> String {
        let lyon = try key("lyon")
        let time = BenchTime(start)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("spki-bench-registrar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = options.db ?? folder.appendingPathComponent("registrar.sqlite").path
        let database = try await DatabaseOpener.open(url)
        var logger = Logger(label: "spki-bench-registrar")
        logger.logLevel = .warning
        var configuration = RegistrarService.Configuration(name: "lyon", key: lyon)
        if let width = options.width { configuration.renewalWidth = width }
        let service = RegistrarService(configuration: configuration, database: database,
                                       bundleSource: NodeBundleSource.ephemeral(), logger: logger, clock: { time.now })
        do {
            let report = try await measure(service, registrarKey: lyon, time: time, engine: options.db == nil ? "SQLite" : "PostgreSQL")
            await database.close()
            return report
        } catch {
            await database.close()
            throw error
        }
    }

    func measure(_ service: RegistrarService, registrarKey: RSAKeyFile, time: BenchTime, engine: String) async throws -> String {
        try await service.start()
        for user in ["alice", "erin"] {
            try await service.registerUser(name: user, key: try key(user), communities: ["hospital"], clearance: "high", isOperator: false)
        }
        // Hosts of 8 slots (user-00...user-39 as slot keys, user-40...user-49 as host keys,
        // then generated ones: RegistrarBenchmarkKeys).
        let slots = options.vpxis * options.machines
        let hosts = (slots + 7) / 8
        try pool.generateMissing(slots: slots, hosts: hosts)
        for host in 0..<hosts {
            let name = String(format: "cap-%02d", host + 1)
            let hostKey = try key(pool.hostName(host))
            let count = min(8, slots - host * 8)
            var arguments: [SExpr] = [
                ["host", ["name", .string(name)], ["cpus", .string(String(count))], ["memory", .string(String(Int64(count) << 30))],
                 ["disk", "0"], ["hypervisor", "xen"], ["trusted-by", "hospital"], ["locator", .string("192.0.2.\(host + 1)")]],
                ["token", .string(try await service.createToken(host: name))],
            ]
            for slot in 0..<count {
                let vm = try key(pool.slotName(host * 8 + slot))
                let cert = Cert(issuer: Principal(key: vm), subject: .principal(Principal(key: registrarKey)), tag: .all, propagate: true,
                                validity: Validity(notAfter: SPKIDate(secondsSinceEpoch: start + 30 * 86400)))
                arguments.append(["vm", ["sequence", cert.sexp, try cert.sign(with: vm).sexp]])
            }
            _ = try await service.handle(try request("enroll", arguments, key: hostKey))
        }
        let alice = try key("alice")
        for index in 0..<options.vpxis {
            let window = "\(SPKIDate(secondsSinceEpoch: start - 600).rfc3339) .. \(SPKIDate(secondsSinceEpoch: start + 2 * 86400).rfc3339)"
            let policy = """
                vpxi bench\(index) {
                  owner alice
                  registrar lyon
                  window \(window)
                  certificates valid 2h renew every 1h
                  require trusted-by hospital
                  cluster node[\(options.machines)] { cpus 1 memory 1 GiB }
                  grant alice ssh, console on all
                  grant erin ssh on all
                }
                """
            _ = try await service.handle(try request("create-vpxi", [["policy", .string(policy)]], key: alice))
        }

        var rows: [String] = []
        let loadBefore = LoadAverage.read()
        var raw = RawSigning(wall: 0, cpu: 0, samples: [])
        var bestWall = 0.0
        var bestCPU = 0.0
        var warmRatios: [Double] = []
        let perf = try options.perfControl.map { spec throws(PerfControlError) in try PerfControl(spec: spec) }
        let threads = ProcessInfo.processInfo.activeProcessorCount
        for epoch in 1...options.epochs {
            raw = raw.best(try RawSigning.measure(registrarKey, threads: threads, seconds: options.seconds))
            // A minute before epoch k starts (epochs start every hour from the window's start).
            time.set(start - 600 + Int64(epoch) * 3600 - 60)
            if epoch > 1 { try perf?.enable() }
            let cpu0 = ProcessCPU.seconds()
            let wall0 = ContinuousClock.now
            let renewed = try await service.renewDue()
            let wall = (ContinuousClock.now - wall0).benchSeconds
            let cpu = ProcessCPU.seconds() - cpu0
            if epoch > 1 { try perf?.disable() }
            guard renewed == options.vpxis else { throw ValidationError("epoch \(epoch): \(renewed) of \(options.vpxis) VPXIs renewed") }
            let certs = try await service.database.read(
                "SELECT COUNT(*) AS n FROM certs WHERE epoch = $1 AND signed = 1 AND issued_by = 'lyon' AND flow <> 'resource-registrar'",
                [.int(Int64(epoch))]).first?["n"].int ?? 0
            let bundles = try await service.database.read("SELECT COUNT(*) AS n FROM bundles WHERE epoch = $1", [.int(Int64(epoch))]).first?["n"].int ?? 0
            let signatures = Double(certs + bundles)
            bestWall = max(bestWall, signatures / wall)
            bestCPU = max(bestCPU, signatures / cpu)
            if epoch > 1 { warmRatios.append(signatures / cpu) }
            rows.append("| \(epoch) | \(renewed) | \(certs) + \(bundles) | \(format(wall, 3)) s | \(format(Double(renewed) / wall, 1)) | \(format(signatures / wall, 0)) | \(format(cpu, 3)) s | \(format(signatures / cpu, 0)) |")
        }
        raw = raw.best(try RawSigning.measure(registrarKey, threads: threads, seconds: options.seconds))
        let pulls = try await chainPulls(service)
        return """
            ## Registrar renewal (\(engine); \(service.configuration.renewalWidth) at once; \(options.vpxis) VPXIs of \(options.machines) machines on \(hosts) hosts, 2 users each; RSA-\(registrarKey.publicKey.bitLength))

            | epoch | VPXIs renewed | signatures (certs + manifests) | wall | renewals/s | signatures/s (wall) | process CPU | signatures per CPU s |
            |---:|---:|---:|---:|---:|---:|---:|---:|
            \(rows.joined(separator: "\n"))

            raw signing, same key, same run (best of \(options.epochs + 1)): \(format(raw.wall, 0)) signatures/s on \(threads) threads (wall), \(format(raw.cpu, 0)) per CPU second (one thread)
            ratio, best epoch / raw: \(format(bestWall / raw.wall, 2)) (wall, \(threads) threads), \(format(bestCPU / raw.cpu, 2)) (per CPU second)
            \(warmLine(warmRatios, raw: raw.cpu))
            \(medianLine(warmRatios, raw: raw))
            \(pulls)
            load average before → after: \(loadBefore) → \(LoadAverage.read())
            """
    }

    /// Every user's chains of the last epoch pulled without If-None-Match, twice: the
    /// first pull of each document builds it (from the database, or the stored text before
    /// migration 5), the second finds it in memory where the registrar keeps one.
    func chainPulls(_ service: RegistrarService) async throws -> String {
        var times: [Double] = []
        var bytes = 0
        for _ in 0..<2 {
            let cpu0 = ProcessCPU.seconds()
            for index in 0..<options.vpxis {
                for user in ["alice", "erin"] {
                    bytes += try await service.chains(vpxi: "bench\(index)", user: user, ifNoneMatch: nil).body?.count ?? 0
                }
            }
            times.append((ProcessCPU.seconds() - cpu0) / Double(2 * options.vpxis) * 1e6)
        }
        return "chain pulls without If-None-Match, CPU per pull: first \(format(times[0], 0)) µs, again \(format(times[1], 0)) µs (\(bytes / (4 * options.vpxis)) bytes each)"
    }

    func request(_ op: String, _ arguments: [SExpr], key: RSAKeyFile) throws -> [UInt8] {
        Array(try RequestSigner.sign(op: op, arguments: arguments, key: key, time: start).advanced(width: 0).utf8)
    }

    func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    /// Medians against medians: the best pass over the best of every raw thread sample
    /// favours the raw rate (the maximum of many more samples), so the line after it gives
    /// the median warm pass over the median raw sample as well.
    func medianLine(_ ratios: [Double], raw: RawSigning) -> String {
        guard !ratios.isEmpty, !raw.samples.isEmpty else { return "" }
        let rawMedian = Self.median(raw.samples)
        let warm = Self.median(ratios)
        return "raw signing per CPU second, median of \(raw.samples.count) thread samples: \(format(rawMedian, 0)); "
            + "ratio, median warm pass / median raw: \(format(warm / rawMedian, 2))"
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The median of the warm passes (epoch 2 on: the compiled vpxis kept), per CPU second,
    /// against the raw rate.
    func warmLine(_ ratios: [Double], raw: Double) -> String {
        guard !ratios.isEmpty else { return "warm passes: none (one epoch)" }
        let median = Self.median(ratios)
        return "warm passes (epochs 2-\(ratios.count + 1)), median: \(format(median, 0)) signatures per CPU second, ratio \(format(median / raw, 2))"
    }
}

/// The raw signing rate of one key: `SPKISignature.sign` of a cert-sized message.
struct RawSigning: Sendable {
    /// Signatures per wall-clock second on every thread together.
    var wall: Double
    /// Signatures per CPU second of one signing thread.
    var cpu: Double
    /// Every signing thread's signatures per CPU second, of every measurement so far.
    var samples: [Double]

    /// The best of both, and the samples of both.
    func best(_ other: RawSigning) -> RawSigning {
        RawSigning(wall: max(wall, other.wall), cpu: max(cpu, other.cpu), samples: samples + other.samples)
    }

    static func measure(_ key: RSAKeyFile, threads: Int, seconds: Double) throws -> RawSigning {
        let privateKey = try key.requirePrivateKey()
        let message = [UInt8]((0..<600).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let principal = key.publicKeySExpr
        let counts = Tally()
        let wall0 = ContinuousClock.now
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            do {
                let signer = try RSASigner(key: privateKey)
                let cpu0 = BenchClock.threadCPUSeconds()
                var count = 0
                let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
                while ContinuousClock.now < end {
                    _ = try SPKISignature.sign(canonical: message, signer: signer, principal: principal)
                    count += 1
                }
                let cpu = BenchClock.threadCPUSeconds() - cpu0
                counts.runs.withLock { $0.append((count, cpu)) }
            } catch {
                counts.failure.withLock { $0 = error }
            }
        }
        let wall = (ContinuousClock.now - wall0).benchSeconds
        if let error = counts.failure.withLock({ $0 }) { throw error }
        let all = counts.runs.withLock { $0 }
        let total = all.reduce(0) { $0 + $1.count }
        let perCPU = all.map { Double($0.count) / $0.cpu }.max() ?? 0
        return RawSigning(wall: Double(total) / wall, cpu: perCPU, samples: all.map { Double($0.count) / $0.cpu })
    }
}

/// What the signing threads report.
final class Tally: Sendable {
    let runs = Mutex<[(count: Int, cpu: Double)]>([])
    let failure = Mutex<(any Error)?>(nil)
}

/// The system's load average (1, 5 and 15 minutes), as /proc/loadavg gives it.
enum LoadAverage {
    static func read() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}

/// CPU seconds (user + system) of the whole process, every thread.
enum ProcessCPU {
    static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

extension Duration {
    var benchSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
