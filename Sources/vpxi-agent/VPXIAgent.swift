import Agent
import ArgumentParser
import CommandLineSupport
import Foundation
import Logging
import RSA
import SPKI
import ToolSupport

@main
struct VPXIAgent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vpxi-agent",
        abstract: "Enforce a host's VPXI state: ESP security associations (userspace, BEET over UDP on TUN) and SSH logins with expiry.",
        subcommands: [CheckCommand.self, RunCommand.self, StatusCommand.self])

    /// Usage errors exit with 2 (bad input or usage), as every command of the
    /// toolkit does, rather than ArgumentParser's 64.
    static func main() { toolkitMain() }
}

/// Runs a command body and maps failures to the toolkit's exit statuses.
enum Runner {
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw ExitCode(FailureReport.report(error, tool: "vpxi-agent") { error in
                guard let failure = error as? AgentError else { return nil }
                let refused: Set<AgentError.Code> = [.unwrapFailed, .invalidAssociation, .duplicateSPI, .invalidLogin, .bundleRefused, .chainRefused]
                return ("error[\(failure.code.rawValue)]: \(failure.message)", refused.contains(failure.code) ? .refused : .badInput)
            }.rawValue)
        }
    }

    static func registrarKey(_ path: String) throws -> RSAKeyFile {
        let bytes: [UInt8]
        do {
            bytes = try InputReader.read(path)
        } catch {
            throw CommandFailure(.badInput, "cannot read the registrar's key \(path): \(error)\nhelp: give the public key of the registrar the host is registered with, `--registrar-key FILE`")
        }
        do {
            return try RSAKeyFile.load(bytes)
        } catch {
            throw CommandFailure(.badInput, "\(path): \(error.message)")
        }
    }

    static func time(_ text: String?) throws -> Date {
        guard let text else { return Date() }
        guard let parsed = try? SPKIDate.parse(commandLine: text) else {
            throw CommandFailure(.badInput, "`--at \(text)` is not a time\nhelp: write `2026-12-01T10:00:00Z` or `2026-12-01_10:00:00` (UTC)")
        }
        return Date(timeIntervalSince1970: TimeInterval(parsed.date.secondsSinceEpoch))
    }

    static func hostKey(_ path: String) throws -> RSAPrivateKey {
        do {
            return try RSAKeyFile.load(try InputReader.read(path)).requirePrivateKey()
        } catch let error as RSAError {
            throw CommandFailure(.badInput, "\(path): \(error.message)")
        }
    }
}

struct InputOptions: ParsableArguments {
    @Option(name: .long, help: "The host's bundle folder (nodes/HOST, see Docs/nodes.md); `check` also takes a bundle archive as the registrar serves it (GET /v1/hosts/HOST/bundles/VPXI).")
    var bundle: String?

    @Option(name: .long, help: ArgumentHelp("The agent's JSON input instead of a bundle (for tests).", visibility: .hidden))
    var input: String?

    @Option(name: .long, help: "The host's private key (any format `spki` reads): the bundle must name it, and its ESP keys are wrapped to it.")
    var key: String

    @Option(name: .customLong("registrar-key"), help: "The public key of the registrar the host is registered with: the bundle's manifest must be signed by it.")
    var registrarKey = "/etc/vpxi-agent/registrar.pub"

    func source() throws -> AgentSource {
        switch (bundle, input) {
        case (let bundle?, nil):
            return .bundle(directory: bundle, registrar: try Runner.registrarKey(registrarKey))
        case (nil, let input?):
            return .input(path: input)
        case (nil, nil):
            throw CommandFailure(.badInput, "no bundle given\nhelp: give the host's bundle folder with `--bundle DIR`")
        case (_?, _?):
            throw CommandFailure(.badInput, "give the host's bundle with `--bundle DIR` or the JSON input with `--input FILE`, not both")
        }
    }
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Verify the bundle against the registrar's and the host's keys and show what would be enforced; changes nothing.")

    @OptionGroup var options: InputOptions

    @Option(name: .long, help: "The time to decide logins at (`2026-12-01T10:00:00Z` or `2026-12-01_10:00:00`); now by default.")
    var at: String?

    func run() throws {
        try Runner.run {
            let time = try Runner.time(at)
            let hostKey = try Runner.hostKey(options.key)
            let report: CheckReport
            switch try options.source() {
            case .bundle(let path, let registrar) where FileKind.isRegularFile(path):
                report = CheckReport(bundle: try AgentBundle.load(archive: path, hostKey: hostKey, registrar: registrar), at: time)
            case .bundle(let directory, let registrar):
                report = CheckReport(bundle: try AgentBundle.load(directory: directory, hostKey: hostKey, registrar: registrar), at: time)
            case .input(let path):
                let input = try AgentInput.decode(try InputReader.read(path))
                let (associations, logins) = try input.resolve(hostKey: hostKey)
                try AssociationTable.validate(associations)
                report = CheckReport(associations: associations, logins: logins)
            case .bundleSet(let set):
                throw CommandFailure(.badInput, "check one bundle folder at a time: --bundle \(set.directory)/VPXI/HOST")
            }
            Console.out(report.text)
            for error in report.errors { Console.err("error[\(error.code.rawValue)]: \(error.message)") }
            if !report.errors.isEmpty { throw ExitCode(ExitStatus.refused.rawValue) }
        }
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the agent until SIGTERM: watch the bundle, apply each new one that verifies, data plane, SSH enforcement, expiry, status.")

    @OptionGroup var options: InputOptions

    @Option(name: .long, help: "State directory (status.json, bundle-generated).")
    var state = "/var/lib/vpxi-agent"

    @Option(name: .customLong("authorized-keys-dir"), help: "Directory of authorized_keys files, DIR/VM/ACCOUNT for a bundle's logins (sshd of VM: AuthorizedKeysFile DIR/VM/%u). Omit to disable SSH enforcement.")
    var authorizedKeysDirectory: String?

    @Option(name: .long, help: "TUN device name. Omit to disable the data plane.")
    var tun: String?

    @Option(name: .long, help: "Local UDP address for ESP.")
    var listen = "0.0.0.0:10500"

    @Option(name: .long, help: "Pull the bundles from this registrar (http://HOST:PORT) instead of reading --bundle; needs --host. With --vpxi, that vpxi's bundle into STATE/pulled/HOST; without, every vpxi of the host into STATE/pulled/vpxis/VPXI/HOST.")
    var registrar: String?

    @Option(name: .long, help: "With --registrar: this host's name, as the registrar knows it.")
    var host: String?

    @Option(name: .long, help: "With --registrar: the one vpxi whose bundle to pull (default: every vpxi the host runs VMs of, each applied on its own).")
    var vpxi: String?

    @Option(name: .customLong("pull-interval"), help: "With --registrar: seconds between pulls (If-None-Match: an unchanged bundle costs one round trip).")
    var pullInterval: Double = 10

    @Option(name: .long, help: "Seconds an epoch keeps receiving around its boundaries.")
    var overlap: Double = 30

    @Option(name: .long, help: "MTU of the outer path (bytes, 1500 by default; 9000 or 65535 on jumbo links): the TUN MTU is this less the IP, UDP and ESP overhead.")
    var mtu = 1500

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    @Flag(name: .customLong("benchmark-null-cipher"),
          help: ArgumentHelp("Benchmark only: no encryption or authentication (needs VPXI_AGENT_BENCHMARK_NULL_CIPHER=cleartext and --input).",
                             visibility: .hidden))
    var benchmarkNullCipher = false

    func run() throws {
        try Runner.run {
            let level = Logger.Level(rawValue: logLevel) ?? .info
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "vpxi-agent")
            var runOptions = AgentRuntime.Options(source: try source(logger: logger), stateDirectory: state, authorizedKeysDirectory: authorizedKeysDirectory,
                                                  tunName: tun, listen: try Locator(parsing: listen), overlap: overlap)
            runOptions.pull = try pull()
            runOptions.pullInterval = pullInterval
            runOptions.linkMTU = try DataPlane.checkedLinkMTU(mtu)
            if benchmarkNullCipher { try runOptions.enableBenchmarkNullCipher(environment: ProcessInfo.processInfo.environment) }
            let runtime = AgentRuntime(
                options: runOptions,
                hostKey: try Runner.hostKey(options.key), logger: logger)
            try runtime.run()
        }
    }
}

extension RunCommand {
    /// The pull of `--registrar`, if given.
    func pull() throws -> RegistrarPull? {
        guard let registrar else {
            guard host == nil, vpxi == nil else { throw CommandFailure(.badInput, "--host and --vpxi go with --registrar URL") }
            return nil
        }
        guard let url = URL(string: registrar), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw CommandFailure(.badInput, "--registrar `\(registrar)` is not an http(s) URL\nhelp: give the registrar's address, for example http://registrar.example:8440")
        }
        guard let host, !host.isEmpty, !host.contains("/"), !host.hasPrefix(".") else {
            throw CommandFailure(.badInput, "--registrar needs --host NAME (this host, as enrolled with the registrar)")
        }
        if let vpxi, vpxi.isEmpty || vpxi.contains("/") || vpxi.hasPrefix(".") {
            throw CommandFailure(.badInput, "--vpxi `\(vpxi)` is not a vpxi name\nhelp: give the name of one vpxi, or leave --vpxi out to follow every vpxi of the host")
        }
        guard pullInterval > 0 else { throw CommandFailure(.badInput, "--pull-interval must be positive") }
        return RegistrarPull(base: url, host: host, vpxi: vpxi, stateDirectory: state)
    }

    /// With `--registrar`, the pulled folder, read like `--bundle`; without `--vpxi`, the
    /// folder of every vpxi's bundle, each applied on its own.
    func source(logger: Logger) throws -> AgentSource {
        if let bundle = options.bundle, FileKind.isRegularFile(bundle) {
            throw CommandFailure(.badInput, "--bundle `\(bundle)` is a file, not a bundle folder\nhelp: `vpxi-agent run` watches a folder "
                + "(nodes/HOST from `spkic nodes`), or pulls from the registrar with --registrar URL --host NAME; "
                + "`vpxi-agent check --bundle FILE` verifies a bundle archive")
        }
        guard registrar != nil else { return try options.source() }
        guard options.bundle == nil, options.input == nil else {
            throw CommandFailure(.badInput, "give either --registrar URL or --bundle DIR, not both")
        }
        let pull = try pull()!
        let key = try Runner.registrarKey(options.registrarKey)
        guard pull.vpxi != nil else {
            return .bundleSet(BundleSet(directory: pull.setDirectory, host: pull.host, registrar: key,
                                        recordPath: "\(state)/bundles-generated", logger: logger))
        }
        return .bundle(directory: pull.bundleDirectory, registrar: key)
    }
}

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the running agent's SAs, peers, authorized users and counters.")

    @Option(name: .long, help: "The running agent's state directory.")
    var state = "/var/lib/vpxi-agent"

    @Flag(name: .long, help: "Print the raw JSON.")
    var json = false

    func run() throws {
        try Runner.run {
            let path = "\(state)/status.json"
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure(.badInput, "no agent status in `\(state)`: `\(path)` does not exist\nhelp: a running agent writes it every second; "
                    + "give the state folder the agent runs with (`vpxi-agent run --state DIR`, default /var/lib/vpxi-agent)")
            }
            let bytes = try InputReader.read(path)
            if json {
                Console.out(bytes)
                return
            }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            guard let report = try? decoder.decode(StatusReport.self, from: Data(bytes)) else {
                throw CommandFailure(.badInput, "\(path) is not a status file\nhelp: it is written by `vpxi-agent run` (JSON, see Docs/agent.md); `--json` prints it as it is")
            }
            Console.out(report.text)
        }
    }
}

/// What a path names, for options that take a folder or a file.
enum FileKind {
    static func isRegularFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}
