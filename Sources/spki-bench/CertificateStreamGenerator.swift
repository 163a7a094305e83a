import SExpr

/// Generates a deterministic canonical stream of SPKI-shaped objects: certificates with
/// RSA public keys, hashes, display hints, dates, nested tags and signatures.
struct CertificateStreamGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed | 1
    }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count + 8)
        while out.count < count {
            var v = next()
            for _ in 0..<8 where out.count < count {
                out.append(UInt8(truncatingIfNeeded: v))
                v >>= 8
            }
        }
        return out
    }

    mutating func certificate(_ serial: Int) -> SExpr {
        let key: SExpr = ["public-key", ["rsa-pkcs1-sha256", ["n", .bytes([0] + bytes(256))], ["e", .bytes([1, 0, 1])]]]
        let day = 1 + serial % 28
        let date = "2026-12-\(day < 10 ? "0" : "")\(day)_08:00:00"
        let cert: SExpr = [
            "cert",
            ["display", .string("cert-\(serial)", hint: "text/plain")],
            ["issuer", key],
            ["subject", ["hash", "sha256", .bytes(bytes(32))]],
            ["propagate"],
            ["tag", ["vpxi", .string("bronze-standard"),
                     ["resource", ["hash", "sha256", .bytes(bytes(32))]],
                     ["*", "set", "ssh", ["file", ["*", "set", "read", "write"], ["*", "prefix", .string("/data/study-\(serial % 97)")]]]]],
            ["valid", ["not-before", .string(date)], ["not-after", .string("2026-12-21_20:00:00")]],
            ["comment", .string("generated for the benchmark, number \(serial)")],
        ]
        let signature: SExpr = [
            "signature", ["hash", "sha256", .bytes(bytes(32))], ["hash", "sha256", .bytes(bytes(32))],
            ["rsa-pkcs1-sha256", .bytes(bytes(256))],
        ]
        return ["sequence", cert, signature]
    }

    /// About `bytes` bytes of concatenated canonical sequences.
    mutating func generate(bytes target: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(target + 4096)
        var serial = 0
        while out.count < target {
            CanonicalPrinter.print(certificate(serial), into: &out)
            serial += 1
        }
        return out
    }
}
