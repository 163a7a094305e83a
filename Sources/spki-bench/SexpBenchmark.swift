import ArgumentParser
import CBenchSexp
import Foundation
import SExpr
import ToolSupport

struct SexpBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sexp",
        abstract: "S-expression parse and print throughput against nettle.",
        discussion: """
            Generates (or reads) a canonical stream of SPKI-shaped certificates and times, \
            in one run (CPU time, the best of --repetitions): our parse to values, our canonical print, our parse plus advanced \
            print, nettle's in-memory sexp_iterator walking every node, and nettle's \
            sexp-conv tool (canonical and advanced output).

            Example:
              swift run -c release spki-bench sexp --size 80
            """)

    @Option(help: "Size of the generated stream in MB.")
    var size: Int = 80

    @Option(help: "Read this canonical stream instead of generating one.")
    var input: String?

    @Option(help: "Timed repetitions of each measurement; the best is reported.")
    var repetitions: Int = 3

    @Flag(help: "Skip the sexp-conv tool measurements.")
    var noTool = false

    func run() throws {
        let data: [UInt8]
        if let input {
            data = try InputReader.read(input)
        } else {
            var generator = CertificateStreamGenerator(seed: 42)
            data = generator.generate(bytes: size * 1_000_000)
        }
        let megabytes = Double(data.count) / 1e6
        print("input: \(String(format: "%.1f", megabytes)) MB canonical, SPKI-shaped certificates")

        var document: SExprDocument? = nil
        let parse = try best {
            document = try SExprParser().parse(data)
        }
        guard let document else { throw ValidationError("no document") }
        print("nodes: \(document.nodeCount), top-level expressions: \(document.rootCount)")

        var printed: [UInt8] = []
        let canonical = best { printed = CanonicalPrinter.print(document) }
        guard printed == data else { throw ValidationError("canonical print differs from the input") }

        var advancedSize = 0
        let advanced = try best {
            let doc = try SExprParser().parse(data)
            advancedSize = AdvancedPrinter(width: 72).print(doc).count
        }

        var atoms = 0, lists = 0
        let nettle = best {
            data.withUnsafeBufferPointer { buffer in
                var a = 0, l = 0
                if cbench_nettle_sexp_walk(buffer.baseAddress, buffer.count, &a, &l) == 0 {
                    atoms = a
                    lists = l
                }
            }
        }
        guard atoms + lists == document.nodeCount else {
            throw ValidationError("nettle counted \(atoms + lists) nodes, we counted \(document.nodeCount)")
        }

        func rate(_ seconds: Double) -> Double { megabytes / seconds }
        var rows: [(String, Double)] = [
            ("ours: parse to values", rate(parse)),
            ("ours: canonical print", rate(canonical)),
            ("ours: parse + advanced print (\(advancedSize / 1_000_000) MB out)", rate(advanced)),
            ("nettle: sexp_iterator walk (in memory)", rate(nettle)),
        ]
        var toolCanonical: Double? = nil
        var toolAdvanced: Double? = nil
        if !noTool {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("spki-bench-\(getpid()).canon").path
            try AtomicFile.write(data, to: path)
            defer { try? FileManager.default.removeItem(atPath: path) }
            toolCanonical = rate(try timeTool(["-s", "canonical"], input: path))
            toolAdvanced = rate(try timeTool(["-s", "advanced"], input: path))
            rows.append(("nettle: sexp-conv -s canonical", toolCanonical!))
            rows.append(("nettle: sexp-conv -s advanced", toolAdvanced!))
        }
        print("")
        for (name, mbps) in rows {
            print(name.padding(toLength: 58, withPad: " ", startingAt: 0) + String(format: "%10.1f MB/s", mbps))
        }
        print("")
        print(String(format: "parse / nettle iterator:             %6.2fx  (target >= 1.0x)", rate(parse) / rate(nettle)))
        if let toolCanonical, let toolAdvanced {
            print(String(format: "parse / sexp-conv canonical:         %6.2fx  (target >= 25x)", rate(parse) / toolCanonical))
            print(String(format: "canonical print / sexp-conv canonical:%6.2fx", rate(canonical) / toolCanonical))
            print(String(format: "parse+advanced / sexp-conv advanced: %6.2fx", rate(advanced) / toolAdvanced))
        }
    }

    /// The least CPU time of `repetitions` runs, in seconds.
    func best(_ body: () throws -> Void) rethrows -> Double {
        try BenchClock.best(repetitions, body)
    }

    /// The least CPU time (user + system) of `sexp-conv ARGS < input > /dev/null`.
    func timeTool(_ arguments: [String], input: String) throws -> Double {
        var fastest = Double.infinity
        for _ in 0..<max(1, repetitions) {
            let before = BenchClock.childrenCPUSeconds()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/sexp-conv")
            process.arguments = arguments
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: input))
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw ValidationError("sexp-conv \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus)")
            }
            fastest = min(fastest, BenchClock.childrenCPUSeconds() - before)
        }
        return fastest
    }
}
