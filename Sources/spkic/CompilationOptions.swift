#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ArgumentParser
import PolicyCompiler
import SPKI
import ToolSupport

/// The key-store and time options shared by `compile`, `test` (and the back ends).
struct CompilationOptions: ParsableArguments {
    @Option(name: .customLong("keys"), help: ArgumentHelp(
        "A key store directory: private keys by principal name (NAME.key; machines as VPXI/MACHINE.key). May repeat; searched in order; generated keys go to the first.",
        valueName: "DIR"))
    var keyDirectories: [String] = []

    @Flag(help: "Generate (in the first --keys directory) the keys of machines that have none: for labs and the examples.")
    var generateMissingKeys = false

    @Option(help: ArgumentHelp("The time of compilation, RFC 3339 or SPKI (default: now): it picks the renewal epoch.", valueName: "TIME"))
    var at: String?

    func validate() throws {
        if generateMissingKeys && keyDirectories.isEmpty {
            throw ValidationError("--generate-missing-keys writes keys into the key store: give --keys DIR")
        }
        if let at { _ = try parseTime(at) }
    }

    /// RFC 3339 (seconds optional, as in policies: `2026-12-01T08:00Z`; a date alone is
    /// midnight UTC) or SPKI (`2026-12-01_08:00:00`).
    func parseTime(_ text: String) throws -> Int64 {
        var chars = Array(text)
        if chars.count == 10, chars[4] == "-", chars[7] == "-" { chars += Array("T00:00:00Z") }
        if chars.count > 16, chars[10] == "T" || chars[10] == "t", chars[13] == ":", chars[16] != ":" {
            chars.insert(contentsOf: Array(":00"), at: 16)
        }
        do {
            return try SPKIDate.parse(commandLine: String(chars)).date.secondsSinceEpoch
        } catch {
            throw ValidationError("--at: \(error.message)")
        }
    }

    /// The compilation time.
    var time: Int64 {
        get throws { try at.map(parseTime) ?? Int64(Glibc.time(nil)) }
    }

    /// Resolves the keys of an analysed policy into its IR.
    func infrastructure(_ analysis: PolicyAnalysis) throws -> InfrastructureIR {
        guard let placement = analysis.placement else { throw CommandFailure(.internalError, "no placement") }
        guard !keyDirectories.isEmpty else {
            throw CommandFailure(.badInput, "no key store: give --keys DIR (the machines' keys are DIR/VPXI/MACHINE.key; --generate-missing-keys creates them)")
        }
        do {
            let keys = try ResolvedKeys.resolve(analysis.model, store: KeyStoreDirectory(directories: keyDirectories),
                                                generateMissing: generateMissingKeys)
            return InfrastructureIR(model: analysis.model, placement: placement, keys: keys)
        } catch {
            throw CommandFailure(.badInput, "key store: \(error)")
        }
    }
}
