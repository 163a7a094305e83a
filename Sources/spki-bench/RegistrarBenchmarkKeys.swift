import Dispatch
import Foundation
import RSA
import ToolSupport

/// The slot and host keys of the renewal benchmark's pool. The first 40 slots take the
/// demo keys `user-00` ... `user-39` and the first 10 hosts `user-40` ... `user-49`, as
/// the benchmark always did (so the default size measures exactly what earlier runs did);
/// a larger pool takes keys generated once into `generated` (`slot-NNN.key`,
/// `host-NNN.key`, mode 0600) and kept there for later runs.
struct RegistrarBenchmarkKeys: Sendable {
    let demo: String
    let generated: String

    static let demoSlots = 40
    static let demoHosts = 10

    func slotName(_ slot: Int) -> String {
        slot < Self.demoSlots ? String(format: "user-%02d", slot) : String(format: "slot-%03d", slot)
    }

    func hostName(_ host: Int) -> String {
        host < Self.demoHosts ? String(format: "user-%02d", Self.demoSlots + host) : String(format: "host-%03d", host)
    }

    /// The key `name`: a demo key (`demo/NAME.key`) or a generated one.
    func key(_ name: String) throws -> RSAKeyFile {
        for folder in [demo, generated] {
            if let data = FileManager.default.contents(atPath: folder + "/" + name + ".key") {
                return try RSAKeyFile.load(Array(data))
            }
        }
        throw RegistrarBenchmarkKeysError(message: "no key \(name) in \(demo) or \(generated): run from the repository's root or give --keys")
    }

    /// Generates (on every core) the keys of `slots` slots and `hosts` hosts that are
    /// neither demo keys nor generated already.
    func generateMissing(slots: Int, hosts: Int) throws {
        let names = (0..<slots).map(slotName) + (0..<hosts).map(hostName)
        let missing = names.filter { name in
            ![demo, generated].contains { FileManager.default.fileExists(atPath: $0 + "/" + name + ".key") }
        }
        guard !missing.isEmpty else { return }
        try FileSystemHelper.makeDirectories(generated)
        print("generating \(missing.count) slot and host keys in \(generated) (once)...")
        let failures = Tally()
        let folder = generated
        DispatchQueue.concurrentPerform(iterations: missing.count) { index in
            do {
                let file = RSAKeyFile(privateKey: try RSAKeyGenerator.generate(bits: 2048))
                try AtomicFile.write(file.privateKeyBytes(.sexp)!, to: folder + "/" + missing[index] + ".key", mode: 0o600)
            } catch {
                failures.failure.withLock { $0 = error }
            }
        }
        if let error = failures.failure.withLock({ $0 }) { throw error }
    }
}

struct RegistrarBenchmarkKeysError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
