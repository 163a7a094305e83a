import CommandLineSupport
import SExpr
import SPKI
import ToolSupport

/// A registrar's chains document (`GET /v1/vpxis/V/chains/U`, Docs/registrar.md):
///
///     (chains (vpxi V) (user U) (epoch "E")
///       (machine-chain (machine M) (acl ...) (sequence ...) [(pending CERT)...]) ...)
///
/// read for `spki reduce`, which reduces each machine's sequence against that machine's
/// ACL; each result is `(machine M (acl ...))`, each refusal said on stderr.
enum ChainsDocument {
    struct Machine {
        var name: String
        var acl: SExpr
        var sequence: SExpr?
        var pending: Int
    }

    /// The machines of `path` when it holds one `(chains ...)`; nil when it holds anything
    /// else (sequences, certs: the ordinary input).
    static func read(_ path: String) throws -> [Machine]? {
        let values = try SPKIInput.parseAll(path)
        guard values.count == 1, values[0].head == "chains" else { return nil }
        let name = InputReader.displayName(path)
        var machines: [Machine] = []
        for item in values[0].tail where item.head == "machine-chain" {
            guard let machine = item.first("machine")?.tail.first?.text else {
                throw CommandFailure(.badInput, "\(name): a `(machine-chain …)` has no `(machine M)`")
            }
            guard let acl = item.first("acl") else {
                throw CommandFailure(.badInput, "\(name): the machine-chain of `\(machine)` has no `(acl …)`")
            }
            let pending = item.tail.filter { $0.head == "pending" }.count
            machines.append(Machine(name: machine, acl: acl, sequence: item.first("sequence"), pending: pending))
        }
        guard !machines.isEmpty else {
            throw CommandFailure(.badInput, "\(name): the chains document holds no `(machine-chain …)`")
        }
        return machines
    }

    /// What each machine's ACL grants through its sequence (by `reduce`), and how many
    /// machines were refused (each said on stderr).
    struct Result {
        var values: [SExpr]
        var refused: Int

        var canonical: [UInt8] { values.flatMap(\.canonical) }
        var printed: String { values.map { $0.advanced() + "\n" }.joined() }
    }

    static func reduce(_ machines: [Machine], keys: KeyStore, checkSignatures: Bool,
                       _ reduce: (ACL, CertBag) throws -> ACL) throws -> Result {
        var result = Result(values: [], refused: 0)
        for machine in machines {
            let place = "machine `\(TerminalText.visible(machine.name))`"
            guard machine.pending == 0, let sequence = machine.sequence else {
                Console.err("error: \(place): the chain is incomplete (\(machine.pending) cert\(machine.pending == 1 ? "" : "s") pending)\n"
                    + "  help: pull the chains again once the pending certs are signed (the owner's delegation, another registrar's cert)")
                result.refused += 1
                continue
            }
            var warnings: [SPKIWarning] = []
            let acl: ACL
            var builder = CertBag.Builder(keys: keys)
            do {
                acl = try ACL(parsing: machine.acl, warnings: &warnings)
                try builder.add(SPKISequence(parsing: sequence, warnings: &warnings), origin: place)
            } catch {
                throw SPKIInput.failure(error, in: place)
            }
            SPKIInput.warn(warnings, in: place)
            do {
                let granted = try reduce(acl, builder.build(checkSignatures: checkSignatures))
                result.values.append(["machine", .string(machine.name), granted.sexp])
            } catch let failure as CommandFailure where failure.status == .refused {
                Console.err("error: \(place): \(TerminalText.visible(failure.message))")
                result.refused += 1
            }
        }
        return result
    }
}
