import ArgumentParser
import BigNum
import CBenchRSA
import Foundation
import RSA
import SExpr

struct RSABenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rsa",
        abstract: "RSA sign/verify throughput and key generation against OpenSSL, Nettle and plain GMP.",
        discussion: """
            For each size, one key (made by our generator) is loaded into every \
            implementation, and in the same run each signs and verifies the same 100-byte \
            message with PKCS#1 v1.5 and SHA-256:
              ours      RSASigner.sign / RSAPublicKey.verify
              OpenSSL   EVP_PKEY_sign / EVP_PKEY_verify (libcrypto, blinding on)
              Nettle    rsa_sha256_sign_tr / rsa_sha256_verify (blinding and check)
              GMP bound two mpz_powm_sec halves + blinding + the s^e check, in C
            Rounds interleave the implementations; the best round of each is reported. \
            Times are the CPU time of the benchmarking thread (CLOCK_THREAD_CPUTIME_ID), so \
            that other processes on a shared machine do not count against any of them.

            Example:
              swift run -c release spki-bench rsa
              swift run -c release spki-bench rsa --sizes 2048 --seconds 0.5
            """)

    @Option(help: "Comma-separated modulus sizes.")
    var sizes: String = "2048,3072,4096"

    @Option(help: "Seconds per measurement.")
    var seconds: Double = 1.0

    @Option(help: "Rounds; the best of each implementation is reported.")
    var rounds: Int = 3

    @Option(help: "Key generations per size for the median (0 to skip).")
    var keygenRuns: Int = 11

    @Option(help: "Comma-separated sizes for the key generation medians.")
    var keygenSizes: String = "2048,3072"

    func run() throws {
        let message = [UInt8]((0..<100).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        var signRows: [String] = []
        var verifyRows: [String] = []
        for bits in try parseSizes(sizes) {
            let results = try measure(bits: bits, message: message)
            signRows.append(results.signRow)
            verifyRows.append(results.verifyRow)
        }
        print("""
            ## RSA PKCS#1 v1.5 SHA-256, operations per CPU second (best of \(rounds) rounds of \(seconds) s)

            | bits | ours sign/s | OpenSSL | Nettle (tr) | GMP bound | ours/OpenSSL | ours/Nettle | ours/GMP bound |
            |---:|---:|---:|---:|---:|---:|---:|---:|
            \(signRows.joined(separator: "\n"))

            | bits | ours verify/s | OpenSSL | Nettle | ours/OpenSSL | ours/Nettle |
            |---:|---:|---:|---:|---:|---:|
            \(verifyRows.joined(separator: "\n"))
            """)
        guard keygenRuns > 0 else { return }
        var keygenRows: [String] = []
        for bits in try parseSizes(keygenSizes) {
            var times: [Double] = []
            for _ in 0..<keygenRuns {
                let start = BenchClock.threadCPUSeconds()
                _ = try RSAKeyGenerator.generate(bits: bits)
                times.append(BenchClock.threadCPUSeconds() - start)
            }
            times.sort()
            let openssl = cbench_openssl_keygen_median(Int32(bits), Int32(keygenRuns))
            keygenRows.append("| \(bits) | \(ms(times[times.count / 2])) | \(ms(times.first!)) – \(ms(times.last!)) | \(ms(openssl)) |")
        }
        print("""

            ## Key generation, median of \(keygenRuns) (e = 65537)

            | bits | ours median | ours range | OpenSSL median |
            |---:|---:|---:|---:|
            \(keygenRows.joined(separator: "\n"))
            """)
    }

    struct SizeResults {
        var signRow: String
        var verifyRow: String
    }

    func measure(bits: Int, message: [UInt8]) throws -> SizeResults {
        let key = try RSAKeyGenerator.generate(bits: bits)
        let signer = try RSASigner(key: key)
        let signature = try signer.sign(message: message)
        // The encoded message representative EM = s^e mod n, for the GMP bound.
        let n = BigNum(unsignedBytes: key.publicKey.modulusBytes)
        let e = BigNum(unsignedBytes: key.publicKey.exponentBytes)
        let encoded = BigNum(unsignedBytes: signature).power(e, modulo: n).unsignedBytes(length: key.publicKey.byteLength)!

        let components = try Self.components(of: key)
        let der = RSADER.pkcs1(key)
        guard let openssl = der.withUnsafeBufferPointer({ cbench_openssl_new($0.baseAddress, $0.count) }) else {
            throw ValidationError("OpenSSL did not accept the key")
        }
        defer { cbench_openssl_free(openssl) }
        let (nettle, gmp) = Self.withComponents(components) { pointer in (cbench_nettle_new(pointer), cbench_gmp_new(pointer)) }
        guard let nettle, let gmp else { throw ValidationError("Nettle or the GMP bound did not accept the key") }
        defer { cbench_nettle_free(nettle); cbench_gmp_free(gmp) }

        var best = [String: Double]()
        func record(_ name: String, _ rate: Double) { best[name] = max(best[name] ?? 0, rate) }
        for _ in 0..<rounds {
            record("ours.sign", try rate { count in
                let start = BenchClock.threadCPUSeconds()
                for _ in 0..<count { _ = try signer.sign(message: message) }
                return BenchClock.threadCPUSeconds() - start
            })
            record("openssl.sign", try rate { cbench_openssl_sign_loop(openssl, message, message.count, $0) })
            record("nettle.sign", try rate { cbench_nettle_sign_loop(nettle, message, message.count, $0) })
            record("gmp.sign", try rate { cbench_gmp_sign_loop(gmp, encoded, encoded.count, $0) })
            record("ours.verify", try rate { count in
                let start = BenchClock.threadCPUSeconds()
                for _ in 0..<count { try key.publicKey.verify(signature: signature, message: message) }
                return BenchClock.threadCPUSeconds() - start
            })
            record("openssl.verify", try rate { cbench_openssl_verify_loop(openssl, message, message.count, $0) })
            record("nettle.verify", try rate { cbench_nettle_verify_loop(nettle, message, message.count, $0) })
        }
        let b = best
        func r(_ x: String, _ y: String) -> String { String(format: "%.2fx", b[x]! / b[y]!) }
        func v(_ x: String) -> String { String(format: "%.0f", b[x]!) }
        return SizeResults(
            signRow: "| \(bits) | \(v("ours.sign")) | \(v("openssl.sign")) | \(v("nettle.sign")) | \(v("gmp.sign")) | "
                + "\(r("ours.sign", "openssl.sign")) | \(r("ours.sign", "nettle.sign")) | \(r("ours.sign", "gmp.sign")) |",
            verifyRow: "| \(bits) | \(v("ours.verify")) | \(v("openssl.verify")) | \(v("nettle.verify")) | "
                + "\(r("ours.verify", "openssl.verify")) | \(r("ours.verify", "nettle.verify")) |")
    }

    /// Operations per second of `loop(count)` (which returns elapsed seconds), sized to
    /// last about `seconds`.
    func rate(_ loop: (Int) throws -> Double) throws -> Double {
        let probe = try loop(3)
        guard probe >= 0 else { throw ValidationError("an operation failed in a reference implementation") }
        let count = max(3, Int(seconds / max(probe / 3, 1e-7)))
        let elapsed = try loop(count)
        guard elapsed > 0 else { throw ValidationError("an operation failed in a reference implementation") }
        return Double(count) / elapsed
    }

    func ms(_ value: Double) -> String { String(format: "%.0f ms", value * 1000) }

    func parseSizes(_ text: String) throws -> [Int] {
        try text.split(separator: ",").map {
            guard let bits = Int($0.trimmingCharacters(in: .whitespaces)), RSAKeyGenerator.supportedSizes.contains(bits) else {
                throw ValidationError("sizes are among \(RSAKeyGenerator.supportedSizes), got `\($0)`")
            }
            return bits
        }
    }

    /// n, e, d, p, q, a, b, c from the key's S-expression (the benchmark's only way to hand
    /// raw values to the C references).
    static func components(of key: RSAPrivateKey) throws -> [[UInt8]] {
        let body = try XUnwrap(RSASExpr.privateKey(key).tail.first)
        return try ["n", "e", "d", "p", "q", "a", "b", "c"].map { name in
            try XUnwrap(body.first(name)?.tail.first?.atomBytes)
        }
    }

    static func withComponents<R>(_ values: [[UInt8]], _ body: (UnsafePointer<cbench_rsa_components>) -> R) -> R {
        let buffers = values.map { bytes -> UnsafeMutableBufferPointer<UInt8> in
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bytes.count)
            _ = buffer.initialize(from: bytes)
            return buffer
        }
        defer {
            for buffer in buffers {
                buffer.update(repeating: 0)
                buffer.deallocate()
            }
        }
        var components = cbench_rsa_components()
        withUnsafeMutableBytes(of: &components.value) { raw in
            let pointers = raw.bindMemory(to: UnsafePointer<UInt8>?.self)
            for (index, buffer) in buffers.enumerated() { pointers[index] = UnsafePointer(buffer.baseAddress) }
        }
        withUnsafeMutableBytes(of: &components.length) { raw in
            let lengths = raw.bindMemory(to: Int.self)
            for (index, buffer) in buffers.enumerated() { lengths[index] = buffer.count }
        }
        return withUnsafePointer(to: &components) { body($0) }
    }
}

private func XUnwrap<T>(_ value: T?) throws -> T {
    guard let value else { throw ValidationError("unexpected key shape") }
    return value
}
