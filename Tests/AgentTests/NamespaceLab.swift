import Agent
import Foundation
import RSA
import TestSupport
import XCTest

/// Two network namespaces joined by a veth pair, each running `vpxi-agent run` on its
/// own input. Everything is torn down by `close()` (call it in a `defer`), even when a
/// test fails; names are unique per lab.
final class NamespaceLab {
    struct Host {
        let name: String
        let namespace: String
        let veth: String
        let address: String
        let hit: HIT
        let keyPath: String
        let inputPath: String
        let stateDirectory: String
        let publicKey: RSAPublicKey
        /// The outer address as a locator's host part (`[…]` around IPv6).
        var locator: String { address.contains(":") ? "[\(address)]" : address }
    }

    /// One direction-pair of keys for a link epoch, in clear, for tshark and fixtures only.
    struct Epoch {
        var spiAB: UInt32  // A sends, B receives
        var spiBA: UInt32
        var keyAB: [UInt8]
        var keyBA: [UInt8]
        var start: Date
        var end: Date
        var linkExpiry: Date?
        var esn = true
        var suite = ESPSuite.aes128GCM
    }

    let a: Host
    let b: Host
    let directory: URL
    private(set) var agents: [String: Process] = [:]
    private var helpers: [Process] = []
    static let tun = "vpxt0"

    static let hostKeys: [RSAPrivateKey] = {
        (0..<3).map { _ in try! RSAKeyGenerator.generate(bits: 2048) }
    }()

    static func requireRoot() throws {
        try XCTSkipUnless(getuid() == 0 || ExternalTool.isCI, "network namespace tests need root")
        if getuid() != 0 { XCTFail("CI must run the namespace tests as root"); throw XCTSkip("not root") }
        _ = try ExternalTool.require("ip", package: "iproute2")
    }

    /// `outerIPv6`: the veth carries IPv6 outer addresses (fd00:231::1, ::2) instead of IPv4.
    init(outerIPv6: Bool = false) throws {
        let tag = String(UInt32.random(in: 0..<UInt32.max), radix: 36)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vpxi-lab-\(tag)")
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        func host(_ letter: String, _ index: Int) throws -> Host {
            let key = Self.hostKeys[index]
            let keyPath = directory.appendingPathComponent("\(letter).key").path
            try RSAKeyFile(privateKey: key).privateKeyBytes(.pem)!.write(to: keyPath)
            chmod(keyPath, 0o600)
            return Host(name: letter, namespace: "vpxi-\(tag)-\(letter)", veth: "vx\(tag.prefix(8))\(letter)",
                        address: outerIPv6 ? "fd00:231::\(index + 1)" : "10.231.0.\(index + 1)", hit: try HIT("2001:21::\(index + 1)"), keyPath: keyPath,
                        inputPath: directory.appendingPathComponent("\(letter).json").path,
                        stateDirectory: directory.appendingPathComponent("\(letter)-state").path, publicKey: key.publicKey)
        }
        a = try host("a", 0)
        b = try host("b", 1)
        do {
            for h in [a, b] {
                try Self.ip(["netns", "add", h.namespace])
                try Self.ip(["-n", h.namespace, "link", "set", "lo", "up"])
            }
            try Self.ip(["link", "add", a.veth, "netns", a.namespace, "type", "veth", "peer", "name", b.veth, "netns", b.namespace])
            for h in [a, b] where outerIPv6 {
                try Self.ip(["-n", h.namespace, "addr", "add", "\(h.address)/64", "dev", h.veth, "nodad"])
                try Self.ip(["-n", h.namespace, "link", "set", h.veth, "up"])
            }
            for h in [a, b] where !outerIPv6 {
                try Self.ip(["-n", h.namespace, "addr", "add", "\(h.address)/24", "dev", h.veth])
                // The outer network is IPv4: no IPv6 chatter on the wire besides the tunnel's ESP.
                _ = try ExternalTool.run("/usr/sbin/ip", ["netns", "exec", h.namespace, "bash", "-c",
                                                          "echo 1 > /proc/sys/net/ipv6/conf/\(h.veth)/disable_ipv6"])
                try Self.ip(["-n", h.namespace, "link", "set", h.veth, "up"])
            }
        } catch {
            close()
            throw error
        }
    }

    func close() {
        for process in helpers where process.isRunning { process.terminate() }
        for (_, process) in agents where process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        agents = [:]
        for h in [a, b] { _ = try? Self.ip(["netns", "del", h.namespace], check: false) }
        if ProcessInfo.processInfo.environment["VPXI_KEEP_LAB"] == nil { try? FileManager.default.removeItem(at: directory) }
    }

    @discardableResult
    static func ip(_ arguments: [String], check: Bool = true) throws -> ExternalTool.Result {
        let result = try ExternalTool.run("/usr/sbin/ip", arguments)
        if check && result.status != 0 {
            throw AgentError(.system, "ip \(arguments.joined(separator: " ")): \(result.stderrText)")
        }
        return result
    }

    /// Runs `command` inside `host`'s namespace and waits for it.
    func exec(_ host: Host, _ command: [String]) throws -> ExternalTool.Result {
        try ExternalTool.run("/usr/sbin/ip", ["netns", "exec", host.namespace] + command)
    }

    /// Starts `command` inside `host`'s namespace in the background; output goes to `log`.
    func spawn(_ host: Host, _ command: [String], log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        process.arguments = ["netns", "exec", host.namespace] + command
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        helpers.append(process)
        return process
    }

    /// The input of each host for `epochs` of the A-B link.
    func writeInputs(_ epochs: [Epoch], logins: [AuthorizedLogin] = [], wrapBTo otherKey: RSAPublicKey? = nil) throws {
        for (host, peer, isA) in [(a, b, true), (b, a, false)] {
            let wrapKey = (!isA ? otherKey : nil) ?? host.publicKey
            let associations = try epochs.map { epoch in
                AgentInput.Association(
                    spiIn: isA ? epoch.spiBA : epoch.spiAB, spiOut: isA ? epoch.spiAB : epoch.spiBA, suite: epoch.suite,
                    keyIn: try AgentInput.wrap(isA ? epoch.keyBA : epoch.keyAB, to: wrapKey),
                    keyOut: try AgentInput.wrap(isA ? epoch.keyAB : epoch.keyBA, to: wrapKey),
                    localHIT: host.hit, peerHIT: peer.hit, peer: "\(peer.locator):10500",
                    start: epoch.start, end: epoch.end, linkExpiry: epoch.linkExpiry, esn: epoch.esn)
            }
            let input = AgentInput(associations: associations, logins: isA ? logins : [])
            try Array(try AgentInput.encoder.encode(input)).write(to: host.inputPath)
        }
    }

    static func epoch(_ index: UInt32, start: Date, end: Date, linkExpiry: Date? = nil, esn: Bool = true,
                      suite: ESPSuite = .aes128GCM) -> Epoch {
        let length = suite.keyMaterialLength
        return Epoch(spiAB: 0x1000 + index * 2, spiBA: 0x1001 + index * 2,
                     keyAB: (0..<length).map { _ in UInt8.random(in: 0...255) }, keyBA: (0..<length).map { _ in UInt8.random(in: 0...255) },
                     start: start, end: end, linkExpiry: linkExpiry, esn: esn, suite: suite)
    }

    /// Starts both agents and waits until their TUN devices carry their HITs. The hosts named
    /// in `nullCipher` run the benchmark-only null transform (`--benchmark-null-cipher`, with
    /// its environment variable).
    func startAgents(overlap: Double = 2, extra: [String] = [], nullCipher: Set<String> = []) throws {
        let binary = PackagePaths.executable("vpxi-agent")
        let variable = AgentRuntime.Options.benchmarkNullCipherVariable
        for h in [a, b] {
            let null = nullCipher.contains(h.name)
            let process = try spawn(h, (null ? ["/usr/bin/env", "\(variable.name)=\(variable.value)"] : [])
                                        + [binary, "run", "--input", h.inputPath, "--key", h.keyPath, "--state", h.stateDirectory,
                                        "--tun", Self.tun, "--listen", "\(h.locator):10500", "--overlap", "\(overlap)",
                                        "--log-level", "debug"] + extra + (null ? ["--benchmark-null-cipher"] : []),
                                    log: directory.appendingPathComponent("\(h.name)-agent.log").path)
            agents[h.name] = process
        }
        for h in [a, b] {
            try waitFor("\(h.name)'s TUN with its HIT", seconds: 10) {
                (try? exec(h, ["ip", "-6", "addr", "show", "dev", Self.tun]))?.stdoutText.contains(h.hit.description) == true
            }
        }
    }

    func agentLog(_ host: Host) -> String {
        (try? String(contentsOfFile: directory.appendingPathComponent("\(host.name)-agent.log").path, encoding: .utf8)) ?? ""
    }

    /// The host's status file, once it was written after `after`.
    func status(_ host: Host, after: Date = Date()) throws -> StatusReport {
        var report: StatusReport?
        try waitFor("\(host.name)'s status", seconds: 5) {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            guard let data = FileManager.default.contents(atPath: "\(host.stateDirectory)/status.json"),
                  let decoded = try? decoder.decode(StatusReport.self, from: data),
                  decoded.updated.timeIntervalSince(after) > -1 else { return false }
            report = decoded
            return decoded.updated > after
        }
        return report!
    }

    func waitFor(_ what: String, seconds: Double, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return }
            usleep(50_000)
        }
        throw AgentError(.system, "timed out waiting for \(what); agent logs:\n\(agentLog(a))\n\(agentLog(b))")
    }

    /// A UDP datagram from `host`'s namespace (a bash built-in: no extra tools).
    func sendUDP(from host: Host, to address: String, port: Int, text: String) throws {
        _ = try exec(host, ["bash", "-c", "printf '%s' '\(text)' > /dev/udp/\(address)/\(port)"])
    }

    /// A UDP socket opened inside `host`'s namespace (setns on a helper thread: the socket
    /// stays in that namespace). Used to inject raw packets.
    func socket(in host: Host, family: Int32 = AF_INET) throws -> Int32 {
        let result = Locked<Int32>(-1)
        let path = "/var/run/netns/\(host.namespace)"
        let thread = Thread {
            // setns(2) is not in Glibc's Swift overlay (it needs _GNU_SOURCE).
            typealias SetNS = @convention(c) (Int32, Int32) -> Int32
            guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else { return }
            let setns = unsafeBitCast(symbol, to: SetNS.self)
            let cloneNewNet: Int32 = 0x4000_0000
            let nsfd = open(path, O_RDONLY)
            if nsfd >= 0, setns(nsfd, cloneNewNet) == 0 {
                let fd = Glibc.socket(family, Int32(SOCK_DGRAM.rawValue), 0)
                result.withLock { $0 = fd }
            }
            if nsfd >= 0 { Glibc.close(nsfd) }
        }
        thread.start()
        try waitFor("a socket in \(host.namespace)", seconds: 2) { result.withLock { $0 } >= 0 }
        return result.withLock { $0 }
    }
}

/// A lock-protected value for test helper threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}

extension Array where Element == UInt8 {
    func write(to path: String) throws {
        try Data(self).write(to: URL(fileURLWithPath: path))
    }
}
