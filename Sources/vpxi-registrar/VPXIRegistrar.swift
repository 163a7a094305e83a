import ArgumentParser
import CommandLineSupport
import Foundation
import Logging
import RSA
import Registrar
import ToolSupport

@main
struct VPXIRegistrar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vpxi-registrar",
        abstract: "The HIPerNet registrar as a service: enrollment, VPXI requests, renewal, pulls (see Docs/registrar.md).",
        subcommands: [ServeCommand.self, UserCommand.self, TokenCommand.self, HostCommand.self, VPXICommand.self, RequestCommand.self, MigrateCommand.self])

    /// Usage errors exit with 2 (bad input or usage), as every command of the
    /// toolkit does, rather than ArgumentParser's 64.
    static func main() async { await toolkitMain() }
}

/// Maps failures to the toolkit's exit statuses.
enum Runner {
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw ExitCode(FailureReport.report(error, tool: "vpxi-registrar") { error in
                guard let failure = error as? RegistrarError else { return nil }
                let badInput: Set<RegistrarError.Code> = [.malformed, .policyError, .tooLarge, .listen]
                let status: ExitStatus = failure.code == .internal ? .internalError
                    : badInput.contains(failure.code) ? .badInput : .refused
                return (failure.description, status)
            }.rawValue)
        }
    }

    static func key(_ path: String, private wantsPrivate: Bool, whose: String = "the registrar's") throws -> RSAKeyFile {
        let file: RSAKeyFile
        do {
            file = try RSAKeyFile.load(try InputReader.read(path))
        } catch let error as RSAError {
            throw CommandFailure(.badInput, "\(path): \(error.message)")
        }
        if wantsPrivate, !file.isPrivate { throw CommandFailure(.badInput, "\(path): holds a public key; \(whose) private key is needed") }
        return file
    }

    /// Opens the database and the service (migrations included).
    static func service(db: String, name: String, key: RSAKeyFile, url: String? = nil) async throws -> RegistrarService {
        try await started(db: db, name: name, key: key, url: url).service
    }

    /// Runs the migrations (and records the registrar), closes the database, and says
    /// what the migrations did.
    static func migrate(db: String, name: String, key: RSAKeyFile) async throws -> SchemaUpgrade {
        let (service, upgrade) = try await started(db: db, name: name, key: key, url: nil)
        await service.database.close()
        return upgrade
    }

    private static func started(db: String, name: String, key: RSAKeyFile, url: String?) async throws -> (service: RegistrarService, upgrade: SchemaUpgrade) {
        let database = try await DatabaseOpener.open(db)
        let configuration = RegistrarService.Configuration(name: name, key: key, url: url)
        let service = RegistrarService(configuration: configuration, database: database)
        do {
            return (service, try await service.start())
        } catch {
            await database.close()
            throw error
        }
    }
}

struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "The database: an SQLite file (created when missing) or postgres://USER[:PASSWORD]@HOST[:PORT]/DB.")
    var db: String = "registrar.sqlite"
}

/// The database and the registrar acting on it, for the operator's commands.
struct IdentityOptions: ParsableArguments {
    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "This registrar's name.")
    var registrar: String

    @Option(name: .long, help: "This registrar's private key.")
    var registrarKey: String

    /// Opens the database and the service (migrations included), runs `body` with it and
    /// closes the database whether `body` succeeds or throws (an SQLite connection must be
    /// closed before it is freed).
    func withService<T>(_ body: (RegistrarService) async throws -> T) async throws -> T {
        let service = try await Runner.service(db: database.db, name: registrar, key: try Runner.key(registrarKey, private: true))
        do {
            let result = try await body(service)
            await service.database.close()
            return result
        } catch {
            await service.database.close()
            throw error
        }
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the registrar's HTTP API until SIGTERM or SIGINT.",
        discussion: """
            Examples:
              vpxi-registrar serve --db registrar.sqlite --name lyon --key lyon.key --keys /etc/vpxi-registrar
              vpxi-registrar serve --db postgres://registrar@127.0.0.1/registrar --name sophia --key sophia.key --listen 0.0.0.0:8441
              vpxi-registrar serve --db registrar.sqlite --name lyon --key lyon.key --renewal-cache 64   # a large pool, less memory
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .long, help: "The registrar's name, as policies name it.")
    var name: String

    @Option(name: .long, help: "The registrar's private key (any format `spki` reads).")
    var key: String

    @Option(name: .long, help: "The key directory holding the ESP master secret `esp-master.secret` (made on first start, mode 0600). Default: the folder of --key.")
    var keys: String?

    @Option(name: .long, help: "The address and port to listen on.")
    var listen: String = "127.0.0.1:8440"

    @Option(name: .long, help: "The URL other parties reach this registrar at (recorded in the database).")
    var url: String?

    @Option(name: .long, help: "Seconds between renewal passes.")
    var renewalInterval: Int = 5

    @Option(name: .long, help: "The largest request body accepted, in bytes.")
    var maxRequestBytes: Int = 256 * 1024

    @Option(name: .long, help: ArgumentHelp("Compiled VPXIs kept in memory between renewals (least recently used dropped past N; 0: every renewal compiles again). Each holds the model of the pool it was compiled against.", valueName: "N"))
    var renewalCache: Int = RenewalCache.defaultCapacity

    @Flag(name: .long, help: .hidden)
    var noEtagMemory = false

    /// `http://HOST[:PORT][/PATH]` or `https://...`: what other parties can reach.
    static func isRegistrarURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else { return false }
        return components.query == nil && components.fragment == nil
    }

    func run() async throws {
        try await Runner.run {
            guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else {
                throw CommandFailure(.badInput, "--listen `\(listen)` is not HOST:PORT (for example 127.0.0.1:8440)")
            }
            guard renewalInterval > 0 else { throw CommandFailure(.badInput, "--renewal-interval must be a positive number of seconds, got \(renewalInterval)") }
            guard maxRequestBytes > 0 else { throw CommandFailure(.badInput, "--max-request-bytes must be a positive number of bytes, got \(maxRequestBytes)") }
            if let url, !Self.isRegistrarURL(url) {
                throw CommandFailure(.badInput, """
                    --url `\(url)` is not an http:// or https:// URL with a host
                      help: give the address other registrars and agents reach this one at, for example http://lyon.example.org:8440
                    """)
            }
            guard renewalCache >= 0 else {
                throw CommandFailure(.badInput, "--renewal-cache \(renewalCache) is negative: give how many compiled VPXIs to keep (0 keeps none)")
            }
            let written = String(listen[..<colon])
            let host = written.hasPrefix("[") && written.hasSuffix("]") ? String(written.dropFirst().dropLast()) : written
            let keyFile = try Runner.key(key, private: true)
            let keyDirectory = keys ?? (key.lastIndex(of: "/").map { String(key[..<$0]) } ?? ".")
            let bundleSource: NodeBundleSource
            do {
                bundleSource = try NodeBundleSource.load(keyDirectory: keyDirectory)
            } catch {
                throw CommandFailure(.badInput, "\(error)")
            }
            let database = try await DatabaseOpener.open(self.database.db)
            var configuration = RegistrarService.Configuration(name: name, key: keyFile, url: url)
            configuration.sizeLimit = maxRequestBytes
            configuration.renewalCacheSize = renewalCache
            configuration.etagMemory = !noEtagMemory  // benchmarks only (scripts/bench-registrar.sh)
            var logger = Logger(label: "vpxi-registrar")
            logger.logLevel = .info
            let service = RegistrarService(configuration: configuration, database: database, bundleSource: bundleSource, logger: logger)
            do {
                try await service.start()
                let server = RegistrarServer(service: service)
                try await server.run(host: host, port: port, renewalInterval: .seconds(renewalInterval), logger: logger) { bound in
                    Console.out("vpxi-registrar \(name) listening on \(host):\(bound)\n")
                }
            } catch {
                await database.close()
                throw error
            }
            await database.close()
        }
    }
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Register and list users.",
                                                    subcommands: [UserAddCommand.self, UserListCommand.self])
}

struct UserAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Register (or update) a user: name, public key, communities, clearance.",
        discussion: """
            Example:
              vpxi-registrar user add --db registrar.sqlite --registrar lyon --registrar-key lyon.key \\
                --name alice --key alice.pub --member-of hospital-lyon --clearance high
            """)

    @OptionGroup var identity: IdentityOptions

    @Option(name: .long, help: "The user's name.")
    var name: String

    @Option(name: .long, help: "The user's public key.")
    var key: String

    @Option(name: .long, parsing: .upToNextOption, help: "Communities the user belongs to.")
    var memberOf: [String] = []

    @Option(name: .long, help: "low, medium or high.")
    var clearance: String?

    @Flag(name: .long, help: "An operator: approves hosts, may release any vpxi.")
    var `operator` = false

    func run() async throws {
        try await Runner.run {
            let userKey = try Runner.key(key, private: false)
            let communities = memberOf.flatMap { $0.split(separator: ",").map(String.init) }
            let registration = try await identity.withService { service in
                try await service.registerUser(name: name, key: userKey, communities: communities,
                                               clearance: clearance, isOperator: `operator`)
            }
            switch registration {
            case .added: Console.out("registered user \(name)\n")
            case .updated(let changed) where changed.isEmpty: Console.out("user \(name) unchanged\n")
            case .updated(let changed): Console.out("updated user \(name): \(changed.joined(separator: ", "))\n")
            }
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: "Registration tokens for hosts.", subcommands: [TokenCreateCommand.self])
}

struct TokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Print a single-use registration token for a host's first enrollment.")

    @OptionGroup var identity: IdentityOptions

    @Option(name: .long, help: "The host the token is for.")
    var host: String

    func run() async throws {
        try await Runner.run {
            let token = try await identity.withService { service in try await service.createToken(host: host) }
            Console.out(token + "\n")
        }
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Bring the database's schema up to date, then exit.")

    @OptionGroup var identity: IdentityOptions

    func run() async throws {
        try await Runner.run {
            let upgrade = try await Runner.migrate(db: identity.database.db, name: identity.registrar,
                                                   key: try Runner.key(identity.registrarKey, private: true))
            Console.out(upgrade.summary + "\n")
        }
    }
}
