import Agent
import ArgumentParser
import Foundation
import Logging
import RSA
import ToolSupport

@main
struct VPXIAgent: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vpxi-agent",
        abstract: "Enforce a host's VPXI state: ESP security associations (userspace, BEET over UDP on TUN) and SSH logins with expiry.",
        subcommands: [CheckCommand.self, RunCommand.self, StatusCommand.self])
}

/// Runs a command body and maps failures to the toolkit's exit statuses.
enum Runner {
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let failure as AgentError {
            Console.err("error[\(failure.code.rawValue)]: \(failure.message)")
            let refused: Set<AgentError.Code> = [.unwrapFailed, .invalidAssociation, .duplicateSPI, .invalidLogin]
            throw ExitCode(refused.contains(failure.code) ? ExitStatus.refused.rawValue : ExitStatus.badInput.rawValue)
        } catch let failure as CommandFailure {
            Console.err("error: \(failure.message)")
            throw ExitCode(failure.status.rawValue)
        } catch let failure as FileError {
            Console.err("error: \(failure)")
            throw ExitCode(ExitStatus.badInput.rawValue)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            Console.err("error: internal error: \(error)\nThis is a bug in vpxi-agent; please report it.")
            throw ExitCode(ExitStatus.internalError.rawValue)
        }
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
    @Option(name: .long, help: "The agent input (JSON: SAs with keys wrapped to the host key, authorized logins).")
    var input: String

    @Option(name: .long, help: "The host's private key (any format `spki` reads).")
    var key: String
}

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Verify the input against the host key and show what would be enforced; changes nothing.")

    @OptionGroup var options: InputOptions

    func run() throws {
        try Runner.run {
            let input = try AgentInput.decode(try InputReader.read(options.input))
            let (associations, logins) = try input.resolve(hostKey: try Runner.hostKey(options.key))
            try AssociationTable.validate(associations)
            let time = ISO8601DateFormatter()
            var lines = ["ok: \(associations.count) security associations, \(logins.count) logins"]
            for sa in associations {
                lines.append("sa in 0x\(String(sa.spiIn, radix: 16)) out 0x\(String(sa.spiOut, radix: 16)) \(sa.suite.rawValue) \(sa.localHIT) <-> \(sa.peerHIT) via \(sa.peerLocator) \(time.string(from: sa.start)) .. \(time.string(from: sa.end))")
            }
            for login in logins {
                lines.append("login \(login.account) \(login.keyFields?.type ?? "?") until \(time.string(from: login.expiry))")
            }
            Console.out(lines.joined(separator: "\n") + "\n")
        }
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the agent until SIGTERM: data plane, SSH enforcement, expiry, status.")

    @OptionGroup var options: InputOptions

    @Option(name: .long, help: "State directory (status.json).")
    var state = "/var/lib/vpxi-agent"

    @Option(name: .customLong("authorized-keys-dir"), help: "Directory of per-account authorized_keys files (sshd: AuthorizedKeysFile DIR/%u). Omit to disable SSH enforcement.")
    var authorizedKeysDirectory: String?

    @Option(name: .long, help: "TUN device name. Omit to disable the data plane.")
    var tun: String?

    @Option(name: .long, help: "Local UDP address for ESP.")
    var listen = "0.0.0.0:10500"

    @Option(name: .long, help: "Seconds an epoch keeps receiving around its boundaries.")
    var overlap: Double = 30

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error, critical.")
    var logLevel = "info"

    func run() throws {
        try Runner.run {
            let level = Logger.Level(rawValue: logLevel) ?? .info
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            let logger = Logger(label: "vpxi-agent")
            let runtime = AgentRuntime(
                options: .init(inputPath: options.input, stateDirectory: state, authorizedKeysDirectory: authorizedKeysDirectory,
                               tunName: tun, listen: try Locator(parsing: listen), overlap: overlap),
                hostKey: try Runner.hostKey(options.key), logger: logger)
            try runtime.run()
        }
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
            let bytes = try InputReader.read("\(state)/status.json")
            if json {
                Console.out(bytes)
                return
            }
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            guard let report = try? decoder.decode(StatusReport.self, from: Data(bytes)) else {
                throw CommandFailure(.badInput, "\(state)/status.json is not a status file")
            }
            Console.out(report.text)
        }
    }
}
