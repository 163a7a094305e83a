import ArgumentParser
import Dispatch
import Foundation
import Hashing
import RSA
import SExpr
import SPKI

/// The inputs of `spki-bench spki`: keys (cached on disk, since 2048-bit key generation
/// dominates), a signed chain, a signed bag and a large unsigned graph.
enum SPKIBenchmarkData {
    /// `count` key pairs from `directory`, generating (and saving) the missing ones on
    /// every core.
    static func keys(_ count: Int, cache directory: String) throws -> [RSAKeyFile] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let files = (0..<count).map { "\(directory)/k\(String(format: "%05d", $0)).key" }
        func load(_ file: String) -> RSAKeyFile? {
            guard let bytes = FileManager.default.contents(atPath: file), let key = try? RSAKeyFile.load(Array(bytes)), key.isPrivate else { return nil }
            return key
        }
        let missing = files.filter { load($0) == nil }
        if !missing.isEmpty { FileHandle.standardError.write(Data("generating \(missing.count) keys in \(directory) (once)\n".utf8)) }
        DispatchQueue.concurrentPerform(iterations: missing.count) { index in
            guard let key = try? RSAKeyGenerator.generate(bits: 2048) else { return }
            try? Data(RSAKeyFile(privateKey: key).privateKeyBytes(.sexp)!).write(to: URL(fileURLWithPath: missing[index]))
        }
        return try files.map { file in
            guard let key = load(file) else { throw ValidationError("cannot generate or read the benchmark key \(file)") }
            return key
        }
    }

    static let tag = try! Tag(parsing: SExpr.parse("(vpxi \"bench\" (resource r1) (* set ssh console (file (* set read write) (* prefix \"/data/\"))))"))

    /// A chain key[0] → key[1] → ... → key[links], each cert signed, as one canonical
    /// `(sequence cert sig cert sig ...)`.
    static func chain(keys: [RSAKeyFile], links: Int) throws -> [UInt8] {
        var items: [SPKISequence.Item] = []
        let end = try SPKIDate.parse(spki: Array("2030-01-01_00:00:00".utf8)).date
        for i in 0..<links {
            let cert = Cert(issuer: Principal(key: keys[i]), subject: .principal(Principal(key: keys[i + 1])), tag: tag,
                            propagate: i < links - 1, validity: Validity(notAfter: end))
            items.append(.cert(cert))
            items.append(.signature(try cert.sign(with: keys[i])))
        }
        return SPKISequence(items: items).sexp.canonical
    }

    /// A registrar bag: R → H (propagate), then H → users, 10% of them re-delegated from
    /// one user to another; each cert signed. One canonical sequence.
    static func bag(keys: [RSAKeyFile], certs: Int) throws -> [UInt8] {
        let r = keys[0], h = keys[1]
        let users = Array(keys.dropFirst(2))
        var items: [SPKISequence.Item] = []
        let first = Cert(issuer: Principal(key: r), subject: .principal(Principal(key: h)), tag: .all, propagate: true)
        items += [.cert(first), .signature(try first.sign(with: r))]
        for i in 1..<certs {
            let resource = try Tag(parsing: SExpr.parse("(vpxi \"bench\" (resource \"r\(i % 100)\") (* set ssh console))"))
            let cert: Cert
            let signer: RSAKeyFile
            if i % 10 == 0 {
                let from = users[i % users.count], to = users[(i * 7 + 1) % users.count]
                cert = Cert(issuer: Principal(key: from), subject: .principal(Principal(key: to)),
                            tag: try Tag(parsing: SExpr.parse("(vpxi \"bench\" (resource \"r\(i % 100)\") ssh)")),
                            comment: .string("bench \(i)"))
                signer = from
            } else {
                cert = Cert(issuer: Principal(key: h), subject: .principal(Principal(key: users[i % users.count])), tag: resource,
                            propagate: i % 3 == 0, comment: .string("bench \(i)"))
                signer = h
            }
            items += [.cert(cert), .signature(try cert.sign(with: signer))]
        }
        return SPKISequence(items: items).sexp.canonical
    }

    /// A random graph of `certs` unsigned certs among `principals` hash principals: each
    /// principal issues certs to others, 90% with delegation, tags over 50 resources.
    static func graph(certs: Int, principals: Int, seed: UInt64) -> (bag: CertBag, acl: ACL, principals: [Principal]) {
        var random = SplitMix(state: seed)
        let people = (0..<principals).map { i in
            try! Principal(parsing: ["hash", "sha256", .bytes(HashAlgorithm.sha256.digest(Array("principal \(i)".utf8)))])
        }
        let resources = (0..<50).map { try! Tag(parsing: SExpr.parse("(vpxi \"bench\" (resource \"r\($0)\") (* set ssh console))")) }
        var builder = CertBag.Builder()
        for i in 0..<certs {
            let issuer = people[i % principals]
            let subject = people[Int(random.next() % UInt64(principals))]
            let tag = random.next() % 10 == 0 ? Tag.all : resources[Int(random.next() % 50)]
            let cert = Cert(issuer: issuer, subject: .principal(subject), tag: tag, propagate: random.next() % 10 != 0,
                            comment: .string("c\(i)"))
            try! builder.add(cert, signature: nil, origin: "graph cert \(i + 1)")
        }
        let acl = ACL(entries: [ACL.Entry(subject: .principal(people[0]), propagate: true)])
        return (builder.build(checkSignatures: false), acl, people)
    }

    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }
}
