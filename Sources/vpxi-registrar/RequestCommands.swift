#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ArgumentParser
import Foundation
import Registrar
import SExpr
import ToolSupport

/// `vpxi-registrar request ...`: a user's signed requests to a running registrar, built,
/// signed with the user's key and sent; the answer printed (or written with `-o`).
struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request", abstract: "Send a signed request to a registrar (as a user): create-vpxi, add-user, delegate, remove-user, release.",
        discussion: """
            Each request is signed with --key (the user's private key), with the time and a
            fresh nonce, and posted to --url. The answer is printed (advanced form), or
            written with -o. A refusal prints the registrar's error and exits 1.

            Examples:
              vpxi-registrar request create-vpxi --url http://127.0.0.1:8440 --key alice.key seg.vp
              vpxi-registrar request add-user --url http://127.0.0.1:8440 --key alice.key \\
                  --vpxi seg --user erin --rights ssh --on 'node[1]' -o added.sexp
              vpxi-registrar request delegate --url http://127.0.0.1:8440 --key alice.key added.sexp
              vpxi-registrar request remove-user --url http://127.0.0.1:8440 --key alice.key --vpxi seg --user erin
              vpxi-registrar request release --url http://127.0.0.1:8440 --key alice.key --vpxi seg
            """,
        subcommands: [CreateVPXIRequest.self, AddUserRequest.self, DelegateRequest.self, RemoveUserRequest.self, ReleaseRequest.self])
}

struct RequestOptions: ParsableArguments {
    @Option(name: .long, help: "The registrar's URL, e.g. http://127.0.0.1:8440.")
    var url: String

    @Option(name: .long, help: "Your private key: it signs the request (any format `spki` reads).")
    var key: String

    @Option(name: .customShort("o"), help: "Write the answer to FILE (atomically) instead of standard output.")
    var output: String?

    /// The bytes of a file the user gives (or of standard input for `-`).
    static func read(_ path: String) throws(CommandFailure) -> [UInt8] {
        do {
            return try InputReader.read(path)
        } catch {
            throw CommandFailure(.badInput, "\(error)")
        }
    }

    /// Signs and sends `request`; prints or writes the answer; a refusal is thrown.
    func send(_ request: ClientRequest) async throws {
        guard ServeCommand.isRegistrarURL(url), let base = URL(string: url) else {
            throw CommandFailure(.badInput, "--url `\(url)` is not an http:// or https:// URL with a host (for example http://127.0.0.1:8440)")
        }
        let signer = try Runner.key(key, private: true, whose: "your (the requester's)")
        let answer: RegistrarClient.Answer
        do {
            answer = try await RegistrarClient(base: base).post(request.path, op: request.op, arguments: request.arguments,
                                                                 key: signer, time: RegistrarService.systemTime())
        } catch let error as RegistrarError {
            throw error
        } catch {
            throw CommandFailure(.refused, "cannot reach the registrar at \(url): \(error.localizedDescription)")
        }
        let text = try ClientRequest.result(of: answer).advanced() + "\n"
        if let output {
            do {
                try AtomicFile.write(text, to: output)
            } catch {
                throw CommandFailure(.badInput, "-o: \(error)")
            }
        } else {
            Console.out(text)
        }
    }
}

struct CreateVPXIRequest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create-vpxi", abstract: "Ask for a VPXI: a .vp fragment holding one vpxi block.")
    @OptionGroup var options: RequestOptions
    @Argument(help: "The policy fragment (.vp), or - for standard input.")
    var policy: String

    func run() async throws {
        try await Runner.run {
            let bytes = try RequestOptions.read(policy)
            guard let text = String(validating: bytes, as: UTF8.self) else { throw CommandFailure(.badInput, "\(policy): not UTF-8 text") }
            try await options.send(.createVPXI(policy: text))
        }
    }
}

struct AddUserRequest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "add-user", abstract: "Add a secondary user to your VPXI (paper 4.2.3); the answer's (to-sign ...) is for `request delegate`.")
    @OptionGroup var options: RequestOptions
    @Option(name: .long, help: "The VPXI.") var vpxi: String
    @Option(name: .long, help: "The registered user to add.") var user: String
    @Option(name: .long, help: "The rights, as in a grant: ssh, or file(read, \"/data\").") var rights: String
    @Option(name: .long, help: "The machines, as in a grant (default: all).") var on: String?
    @Option(name: .long, help: "A time window within the VPXI's, `A .. B`.") var during: String?

    func run() async throws {
        try await Runner.run { try await options.send(.addUser(vpxi: vpxi, user: user, rights: rights, on: on, during: during)) }
    }
}

struct DelegateRequest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delegate", abstract: "Sign the certs an add-user answer asks you to sign, and send them.")
    @OptionGroup var options: RequestOptions
    @Argument(help: "The add-user answer (as `request add-user` printed it), or - for standard input.")
    var answer: String

    func run() async throws {
        try await Runner.run {
            let document: SExpr
            do {
                document = try SExpr.parse(try RequestOptions.read(answer))
            } catch let error as CommandFailure {
                throw error
            } catch {
                throw CommandFailure(.badInput, "\(answer): not an S-expression: \(error)")
            }
            try await options.send(try ClientRequest.delegate(answer: document, key: try Runner.key(options.key, private: true, whose: "your (the owner's)")))
        }
    }
}

struct RemoveUserRequest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove-user", abstract: "Remove a secondary user you added to your VPXI.")
    @OptionGroup var options: RequestOptions
    @Option(name: .long, help: "The VPXI.") var vpxi: String
    @Option(name: .long, help: "The user to remove.") var user: String

    func run() async throws {
        try await Runner.run { try await options.send(.removeUser(vpxi: vpxi, user: user)) }
    }
}

struct ReleaseRequest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "release", abstract: "Release your VPXI: its slots return to the pool.")
    @OptionGroup var options: RequestOptions
    @Option(name: .long, help: "The VPXI.") var vpxi: String

    func run() async throws {
        try await Runner.run { try await options.send(.release(vpxi: vpxi)) }
    }
}
