import ArgumentParser
import Registrar
import ToolSupport

/// `vpxi-registrar user list`, `host list`, `vpxi list`: what the shared database holds.
struct UserListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the registered users (every registrar's), by name.",
        discussion: """
            Example:
              vpxi-registrar user list --db registrar.sqlite --registrar lyon --registrar-key lyon.key
            """)

    @OptionGroup var identity: IdentityOptions

    func run() async throws {
        try await identity.printListing { service in RegistrarListing.users(try await service.listUsers()) }
    }
}

struct HostCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "host", abstract: "List enrolled hosts.", subcommands: [HostListCommand.self])
}

struct HostListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the enrolled hosts (with every registrar), by name, with their VM slots.",
        discussion: """
            Example:
              vpxi-registrar host list --db registrar.sqlite --registrar lyon --registrar-key lyon.key
            """)

    @OptionGroup var identity: IdentityOptions

    func run() async throws {
        try await identity.printListing { service in RegistrarListing.hosts(try await service.listHosts()) }
    }
}

struct VPXICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vpxi", abstract: "List VPXIs.", subcommands: [VPXIListCommand.self])
}

struct VPXIListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the VPXIs (every registrar's, active and released), by name.",
        discussion: """
            Example:
              vpxi-registrar vpxi list --db registrar.sqlite --registrar lyon --registrar-key lyon.key
            """)

    @OptionGroup var identity: IdentityOptions

    func run() async throws {
        try await identity.printListing { service in RegistrarListing.vpxis(try await service.listVPXIs()) }
    }
}

extension IdentityOptions {
    /// Opens the service, prints the table `body` makes from it, closes the database.
    func printListing(_ body: (RegistrarService) async throws -> String) async throws {
        try await Runner.run {
            Console.out(try await withService(body))
        }
    }
}
