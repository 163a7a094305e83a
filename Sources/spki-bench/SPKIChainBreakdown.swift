import Foundation
import Hashing
import RSA
import SExpr
import SPKI

/// Where the chain's signature check spends its time, step by step (thread CPU time, best
/// of `rounds`): each step alone over the chain's certs, for `spki-bench spki --breakdown`.
struct SPKIChainBreakdown {
    let bytes: [UInt8]
    let rounds: Int

    func run() throws -> [(String, Double)] {
        var warnings: [SPKIWarning] = []
        let document = try SExprParser().parse(bytes)
        let sequence = try SPKISequence(parsing: document, warnings: &warnings)
        var certs: [Cert] = []
        var signatures: [SPKISignature] = []
        for item in sequence.items {
            switch item {
            case .cert(let cert): certs.append(cert)
            case .signature(let signature): signatures.append(signature)
            default: break
            }
        }
        var out: [(String, Double)] = []
        out.append(("SExprParser().parse (the bytes into SExpr)", try BenchClock.best(rounds) { _ = try SExprParser().parse(bytes) }))
        out.append(("SPKISequence(parsing: document) (typed values read from the nodes)", try BenchClock.best(rounds) {
            var w: [SPKIWarning] = []
            _ = try SPKISequence(parsing: document, warnings: &w)
        }))
        out.append(("SPKISequence(parsing: value) (from the SExpr tree: the fallback path, and the reader before)", try BenchClock.best(rounds) {
            var w: [SPKIWarning] = []
            _ = try SPKISequence(parsing: document.value(0), warnings: &w)
        }))
        if let loops = ProcessInfo.processInfo.environment["SPKI_BENCH_PARSE_LOOP"].flatMap(Int.init) {
            // For `perf record`: the typed parse alone, many times.
            for _ in 0..<loops {
                var w: [SPKIWarning] = []
                _ = try SPKISequence(parsing: document, warnings: &w)
            }
        }
        out.append(("builder.add (key decoding)", try BenchClock.best(rounds) {
            var builder = CertBag.Builder()
            try builder.add(sequence, origin: "bench")
        }))
        var builder = CertBag.Builder()
        try builder.add(sequence, origin: "bench")
        if let loops = ProcessInfo.processInfo.environment["SPKI_BENCH_CHECK_LOOP"].flatMap(Int.init) {
            // For `perf record`: key decoding, matching and verification on one thread.
            for _ in 0..<loops {
                var looped = CertBag.Builder()
                try looped.add(sequence, origin: "bench")
                _ = looped.build(workers: 1)
            }
        }
        // One thread: this thread's CPU time must cover every verification.
        out.append(("builder.build (match + verify), one thread", BenchClock.best(rounds) { _ = builder.build(workers: 1) }))
        out.append(("builder.build, signatures not checked", BenchClock.best(rounds) { _ = builder.build(checkSignatures: false) }))
        let store = builder.keys
        out.append(("verify(digest:) with the store's keys", try BenchClock.best(rounds) {
            for (cert, signature) in zip(certs, signatures) {
                try store.key(for: cert.issuer.principal)!.publicKey.verify(signature: signature.signature, digest: signature.digest, hash: signature.hash)
            }
        }))
        let principals = certs.map { $0.subject.principal! }
        out.append(("RSASExpr.decode of each key", try BenchClock.best(rounds) {
            for p in principals { _ = try RSASExpr.decode(p.sexp) }
        }))
        let numbers = try principals.map { p -> ([UInt8], [UInt8]) in
            let key = try RSASExpr.decode(p.sexp).publicKey
            return (key.modulusBytes, key.exponentBytes)
        }
        out.append(("RSAPublicKey(modulus:exponent:)", try BenchClock.best(rounds) {
            for (n, e) in numbers { _ = try RSAPublicKey(modulus: n, exponent: e) }
        }))
        out.append(("SHA-256 of the signed bytes", BenchClock.best(rounds) {
            for cert in certs { _ = cert.withSignedBytes { HashAlgorithm.sha256.digest($0) } }
        }))
        var issuerKeys: [RSAPublicKey] = []
        for cert in certs {
            let key = try RSASExpr.decode(cert.issuer.principal.sexp).publicKey
            issuerKeys.append(key)
        }
        out.append(("verify(digest:) with decoded keys", try BenchClock.best(rounds) {
            for (key, signature) in zip(issuerKeys, signatures) {
                try key.verify(signature: signature.signature, digest: signature.digest, hash: signature.hash)
            }
        }))
        out.append(("signer's key compared with the issuer's (SExpr ==)", BenchClock.best(rounds) {
            var same = 0
            for (cert, signature) in zip(certs, signatures) where signature.principal == cert.issuer.principal.sexp { same += 1 }
            precondition(same == certs.count)
        }))
        out.append(("key store lookups", BenchClock.best(rounds) {
            var found = 0
            for cert in certs where store.key(for: cert.issuer.principal) != nil { found += 1 }
            precondition(found == certs.count)
        }))
        out.append(("Cert copies (resolved(in:))", BenchClock.best(rounds) {
            let keys = KeyStore()
            var copies: [Cert] = []
            copies.reserveCapacity(certs.count)
            for cert in certs { copies.append(cert.resolved(in: keys)) }
        }))
        return out
    }
}
