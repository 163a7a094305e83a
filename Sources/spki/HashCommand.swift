import ArgumentParser
import Hashing
import SExpr
import ToolSupport

struct HashCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Hash each expression's canonical bytes.",
        discussion: """
            Prints one (hash ALG |digest|) per top-level expression, over its canonical \
            bytes, whatever form the input is in. SHA-1 and MD5 are for legacy objects.

            Examples:
              spki hash cert.sexp
              spki hash --alg sha256 --hex key.pub
            """)

    @Option(name: .long, help: "Digest algorithm: sha256, sha512, sha1 or md5.")
    var alg: String = "sha256"

    @Flag(name: .long, help: "Print bare lowercase hex digests, one per line.")
    var hex = false

    @Argument(help: "Input file, or - for standard input.")
    var file: String = "-"

    func run() throws {
        try CommandRunner.run {
            guard let algorithm = HashAlgorithm(name: alg) else {
                let known = HashAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")
                throw CommandFailure(.badInput, "unknown hash algorithm `\(alg)`; use one of \(known)")
            }
            let document = try CommandRunner.parseInput(file)
            var out = ""
            for root in document.roots {
                let digest = algorithm.digest(CanonicalPrinter.print(document, node: root))
                if hex {
                    out += Hex.encode(digest) + "\n"
                } else {
                    let hash: SExpr = ["hash", .string(algorithm.spkiName), .bytes(digest)]
                    out += hash.advanced(width: 0) + "\n"
                }
            }
            try CommandRunner.emit(Array(out.utf8), to: nil)
        }
    }
}
