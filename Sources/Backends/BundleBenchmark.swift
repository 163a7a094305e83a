#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Hashing
import RSA
import SPKI

/// The back ends' benchmark, for `spki-bench nodes`: a generated plan of the compiler
/// benchmark's size (2,000 hosts, 10,000 VMs), built and written, timed by wall clock.
///
/// The VM and host keys of the generated plan are synthetic public keys (odd 2048-bit
/// moduli drawn from a hash stream, e = 65537): HITs, peer tables and OAEP wrapping cost
/// exactly what they cost with real keys, without generating 12,000 RSA keys. Only the
/// registrar's key, which signs, is a real one.
public enum BundleBenchmark {
    public struct Shape: Sendable {
        public var hosts = 2000
        public var vms = 10000
        /// VMs per VPXI; each VPXI links every VM to its first VM (a star, like workers to
        /// a file server) and to the next VM (a ring).
        public var vmsPerVPXI = 100
        /// The window and the renewal, as in `certificates valid 36h renew every 12h` over
        /// three weeks.
        public var windowSeconds: Int64 = 21 * 86_400
        public var renewSeconds: Int64 = 12 * 3600
        public var lifetimeSeconds: Int64 = 36 * 3600
        /// Keys for the epochs the run's certificates cover (see `BundlePlan.keyHorizon`);
        /// `nil` keys the whole window.
        public var keyHorizon: Int64? = 36 * 3600

        public init() {}
    }

    public struct Measurement: Sendable {
        public var hosts: Int
        public var vms: Int
        public var links: Int
        public var securityAssociations: Int
        public var files: Int
        public var bytes: Int
        /// Checking the plan and deriving HITs, LSIs and SPIs.
        public var resolveSeconds: Double
        /// Building every bundle (wrapping, signing) on all cores.
        public var buildSeconds: Double
        /// Writing them (zero when no directory was given).
        public var writeSeconds: Double
        /// Processor time of each phase, all threads together: what the phases cost on a
        /// machine shared with other work, where wall time also measures the others.
        public var resolveCPUSeconds: Double
        public var buildCPUSeconds: Double
        public var writeCPUSeconds: Double
        public var cpuSeconds: Double { resolveCPUSeconds + buildCPUSeconds + writeCPUSeconds }
        public var totalSeconds: Double { resolveSeconds + buildSeconds + writeSeconds }
    }

    /// A generated plan of the given shape, signed by `registrar`.
    public static func plan(_ shape: Shape, registrar: RSAPrivateKey) throws(BackendsError) -> BundlePlan {
        var stream = KeyStream(seed: "spkic backends benchmark")
        let start = SPKIDate(year: 2026, month: 12, day: 1, hour: 8)!
        let end = SPKIDate(secondsSinceEpoch: start.secondsSinceEpoch + shape.windowSeconds)
        let epochs = BundlePlan.Epoch.renewals(windowStart: start, windowEnd: end, period: shape.renewSeconds, lifetime: shape.lifetimeSeconds)
        var hosts: [BundlePlan.Host] = []
        for index in 0..<shape.hosts {
            let locators = ["10.\(index >> 16 & 255).\(index >> 8 & 255).\(index & 255)", "2001:db8::\(String(index, radix: 16))"]
            hosts.append(BundlePlan.Host(name: "host-\(index)", publicKey: try stream.publicKey(), locators: locators,
                                         hypervisor: index % 4 == 0 ? .xen : .kvm, registrar: "registrar"))
        }
        var vpxis: [BundlePlan.VPXI] = []
        var vms: [BundlePlan.VM] = []
        var links: [BundlePlan.Link] = []
        let perVPXI = max(2, shape.vmsPerVPXI)
        var index = 0
        while index < shape.vms {
            let name = "vpxi-\(vpxis.count)"
            vpxis.append(BundlePlan.VPXI(name: name, windowStart: start, windowEnd: end, epochs: epochs))
            let members = min(perVPXI, shape.vms - index)
            for member in 0..<members {
                vms.append(BundlePlan.VM(name: "\(name).vm-\(member)", vpxi: name, host: "host-\((index + member) % shape.hosts)",
                                         publicKey: try stream.publicKey(), cpus: 1, memoryBytes: 512 << 20, image: "debian"))
                if member > 0 { links.append(BundlePlan.Link("\(name).vm-0", "\(name).vm-\(member)", suite: .aes128GCM)) }
                if member > 1 { links.append(BundlePlan.Link("\(name).vm-\(member - 1)", "\(name).vm-\(member)", suite: .aes256GCM)) }
            }
            index += members
        }
        return BundlePlan(generatedAt: SPKIDate(secondsSinceEpoch: start.secondsSinceEpoch + 3600),
                          registrars: [BundlePlan.Registrar(name: "registrar", signingKey: registrar)],
                          hosts: hosts, vpxis: vpxis, vms: vms, links: links, keyHorizon: shape.keyHorizon)
    }

    /// Builds every bundle of `plan`, and writes them to `directory` when given.
    public static func run(_ plan: BundlePlan, secrets: BundleSecrets, directory: String?) throws(BackendsError) -> Measurement {
        let clock = ContinuousClock()
        let c0 = processCPUSeconds(), t0 = clock.now
        let builder = try BundleBuilder(plan: plan, secrets: secrets)
        let c1 = processCPUSeconds(), t1 = clock.now
        let bundles = try builder.buildAll()
        let c2 = processCPUSeconds(), t2 = clock.now
        if let directory { _ = try BundleWriter.write(bundles, to: directory) }
        let c3 = processCPUSeconds(), t3 = clock.now
        func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        return Measurement(hosts: plan.hosts.count, vms: plan.vms.count, links: plan.links.count,
                           securityAssociations: builder.securityAssociationCount,
                           files: bundles.reduce(0) { $0 + $1.files.count }, bytes: bundles.reduce(0) { $0 + $1.byteCount },
                           resolveSeconds: seconds(t1 - t0), buildSeconds: seconds(t2 - t1), writeSeconds: seconds(t3 - t2),
                           resolveCPUSeconds: c1 - c0, buildCPUSeconds: c2 - c1, writeCPUSeconds: c3 - c2)
    }

    /// Processor seconds used by every thread of the process.
    static func processCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Synthetic public keys: odd 2048-bit moduli with the top bit set, from SHA-256 in
    /// counter mode.
    struct KeyStream {
        var generator: SeededGenerator

        init(seed: String) {
            generator = SeededGenerator(seed: HashAlgorithm.sha256.digest(Array(seed.utf8)))
        }

        mutating func publicKey() throws(BackendsError) -> RSAPublicKey {
            var modulus = (0..<32).flatMap { _ in withUnsafeBytes(of: generator.next().bigEndian, Array.init) }
            modulus[0] |= 0x80
            modulus[255] |= 1
            do {
                return try RSAPublicKey(modulus: modulus, exponent: [1, 0, 1])
            } catch {
                throw BackendsError(.cryptoFailure, "a synthetic key was refused: \(error.message)")
            }
        }
    }
}
