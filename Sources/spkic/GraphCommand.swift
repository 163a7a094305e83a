import ArgumentParser
import Foundation
import PolicyCompiler
import ToolSupport

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a policy: its topology on the hosts, and who grants whom.",
        discussion: """
            Analyses and places the policy and prints a Graphviz DOT digraph: the machines \
            inside boxes for their hosts, with the links between them (bandwidth, latency, \
            protection), and the delegation graph (registrars, users, rights, lifetimes, \
            windows). With -o FILE.svg, runs Graphviz's `dot` to write SVG (it must be \
            installed: apt install graphviz); with -o FILE.dot, writes the DOT. No keys \
            are needed. Exit status: 0 drawn; 1 placement impossible; 2 bad input.

            Examples:
              spkic graph bronze-standard.vp | dot -Tpng > graph.png
              spkic graph bronze-standard.vp -o graph.svg
              spkic graph bronze-standard.vp -o graph.dot
            """)

    @Argument(help: "The policy file.")
    var file: String

    @Option(name: .short, help: ArgumentHelp("Write to FILE (.dot or .svg) instead of standard output.", valueName: "FILE"))
    var output: String?

    func validate() throws {
        if let output, !output.hasSuffix(".dot"), !output.hasSuffix(".svg"), !output.hasSuffix(".gv") {
            throw ValidationError("-o: the file must end in .dot, .gv or .svg")
        }
    }

    func run() throws {
        let (_, analysis) = try PolicyInput.loadForCompilation(file)
        guard let placement = analysis.placement else { throw CommandFailure(.internalError, "no placement") }
        let dot = GraphRenderer(model: analysis.model, placement: placement).render()
        guard let output else {
            Console.out(dot)
            return
        }
        if output.hasSuffix(".svg") {
            try AtomicFile.write(try Graphviz.svg(dot), to: output)
        } else {
            try AtomicFile.write(dot, to: output)
        }
    }
}

/// Runs Graphviz's `dot`.
enum Graphviz {
    static func svg(_ dot: String) throws -> [UInt8] {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/dot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let path else {
            throw CommandFailure(.badInput, "`dot` (Graphviz) is not installed, so SVG cannot be drawn: install it (apt install graphviz), or write DOT with -o FILE.dot")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["-Tsvg"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // dot reads the whole graph before it writes: feed it, then read.
        input.fileHandleForWriting.write(Data(dot.utf8))
        try? input.fileHandleForWriting.close()
        let svg = output.fileHandleForReading.readDataToEndOfFile()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailure(.internalError, "`dot -Tsvg` failed: \(String(decoding: message, as: UTF8.self))")
        }
        return [UInt8](svg)
    }
}
