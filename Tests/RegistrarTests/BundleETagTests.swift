@testable import Registrar
import Backends
import SExpr
import SPKI
import TestSupport
import XCTest

/// `BundleETag`: a bundle's ETag from its host, manifest and signature. Over random
/// bundles whose manifest lists their files (as the builder makes them), the ETags of two
/// archives are equal exactly when their bytes are; any other archive gets the digest of
/// its whole body, as before.
final class BundleETagTests: XCTestCase {
    struct Spec {
        var host = "cap-01"
        var files: [BundleFile] = []
        var signature: [UInt8] = Array("(9:signature)".utf8)
        var generated: Int64 = 1_800_000_000
        /// Files in the archive that the manifest does not list, and the reverse.
        var unlisted: [BundleFile] = []
        var missing: [BundleFile] = []
    }

    static let key: SExpr = ["public-key", ["rsa-pkcs1-sha256", ["e", .bytes([1, 0, 1])], ["n", .bytes(Array(repeating: 0xAB, count: 32))]]]

    static func manifest(_ spec: Spec) -> [UInt8] {
        BundleManifest(host: spec.host, hostKey: key, registrar: "lyon", registrarKey: key,
                       generatedAt: SPKIDate(secondsSinceEpoch: spec.generated), files: spec.files + spec.missing).canonical
    }

    static func archive(_ spec: Spec) -> [UInt8] {
        BundleArchive.encode(HostBundle(host: spec.host, files: spec.files + spec.unlisted + [
            BundleFile(path: BundleManifest.fileName, bytes: manifest(spec)),
            BundleFile(path: BundleManifest.signatureFileName, bytes: spec.signature),
        ]))
    }

    static func randomBytes(_ count: Int, _ random: inout SeededGenerator) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
    }

    static func randomSpec(_ random: inout SeededGenerator) -> Spec {
        var spec = Spec()
        let names = ["authorized.sexp", "esp.sexp", "esp/xfrm.sh", "peers.sexp", "hip/hosts", "vms/a.xml", "vms/b.xml", "z"]
        for name in names where Bool.random(using: &random) {
            spec.files.append(BundleFile(path: name, bytes: randomBytes(Int.random(in: 0...200, using: &random), &random),
                                         mode: Bool.random(using: &random) ? 0o644 : 0o755))
        }
        spec.signature = randomBytes(Int.random(in: 1...64, using: &random), &random)
        return spec
    }

    /// One random change of what a bundle is made of (the manifest made again from it).
    static func mutate(_ spec: Spec, _ random: inout SeededGenerator) -> Spec {
        var spec = spec
        switch Int.random(in: 0..<9, using: &random) {
        case 0 where !spec.files.isEmpty:
            let index = Int.random(in: 0..<spec.files.count, using: &random)
            var bytes = spec.files[index].bytes
            if bytes.isEmpty { bytes = [0] } else { bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random) }
            spec.files[index] = BundleFile(path: spec.files[index].path, bytes: bytes, mode: spec.files[index].mode)
        case 1 where !spec.files.isEmpty:
            let index = Int.random(in: 0..<spec.files.count, using: &random)
            spec.files[index] = BundleFile(path: spec.files[index].path, bytes: spec.files[index].bytes, mode: spec.files[index].mode ^ 0o111)
        case 2 where !spec.files.isEmpty:
            let index = Int.random(in: 0..<spec.files.count, using: &random)
            let path = spec.files[index].path + "2"
            if !spec.files.contains(where: { $0.path == path }) {
                spec.files[index] = BundleFile(path: path, bytes: spec.files[index].bytes, mode: spec.files[index].mode)
            }
        case 3 where !spec.files.isEmpty:
            spec.files.remove(at: Int.random(in: 0..<spec.files.count, using: &random))
        case 4:
            let path = "added/\(Int.random(in: 0..<1000, using: &random))"
            if !spec.files.contains(where: { $0.path == path }) { spec.files.append(BundleFile(path: path, bytes: randomBytes(8, &random))) }
        case 5:
            spec.signature[Int.random(in: 0..<spec.signature.count, using: &random)] ^= 0x40
        case 6:
            spec.host = spec.host == "cap-01" ? "cap-02" : "cap-01"
        case 7:
            spec.generated += Int64.random(in: 1...100_000, using: &random)
        default:
            break // unchanged
        }
        return spec
    }

    func testBuilderShapedBundlesUseTheDerivedETag() throws {
        var random = SeededGenerator(seed: 7)
        for _ in 0..<50 {
            let archive = Self.archive(Self.randomSpec(&random))
            let input = try XCTUnwrap(BundleETag.derivedInput(archive))
            XCTAssertLessThan(input.count, archive.count)
            XCTAssertEqual(BundleETag.of(archive), RegistrarService.etag(input))
            XCTAssertNotEqual(BundleETag.of(archive), RegistrarService.etag(archive))
        }
    }

    /// Unchanged body, same ETag; changed body, new ETag: over random bundles and random
    /// changes of any of their parts (a file's bytes, mode, path, a file added or removed,
    /// the signature, the host, the manifest's date) or none.
    func testETagsAreEqualExactlyWhenBodiesAre() throws {
        var random = SeededGenerator(seed: 0xE7A6)
        var changed = 0, unchanged = 0
        for round in 0..<600 {
            let first = Self.randomSpec(&random)
            var second = first
            for _ in 0..<Int.random(in: 1...3, using: &random) { second = Self.mutate(second, &random) }
            let a = Self.archive(first), b = Self.archive(second)
            XCTAssertNotNil(BundleETag.derivedInput(a), "round \(round)")
            XCTAssertNotNil(BundleETag.derivedInput(b), "round \(round)")
            XCTAssertEqual(a == b, BundleETag.of(a) == BundleETag.of(b), "round \(round)")
            if a == b { unchanged += 1 } else { changed += 1 }
        }
        XCTAssertGreaterThan(changed, 300)
        XCTAssertGreaterThan(unchanged, 10)
    }

    /// An archive whose files are not exactly the manifest's, or no archive at all: the
    /// digest of the whole body.
    func testOtherArchivesGetTheWholeBodyDigest() {
        var spec = Spec()
        spec.files = [BundleFile(path: "a", bytes: [1, 2, 3]), BundleFile(path: "b", bytes: [4], mode: 0o600)]
        var unlisted = spec
        unlisted.unlisted = [BundleFile(path: "c", bytes: [5])]
        var missing = spec
        missing.missing = [BundleFile(path: "c", bytes: [5])]
        let noManifest = BundleArchive.encode(HostBundle(host: "cap-01", files: spec.files))
        let noSignature = BundleArchive.encode(HostBundle(host: "cap-01", files: spec.files + [BundleFile(path: BundleManifest.fileName, bytes: Self.manifest(spec))]))
        // A manifest whose size of `a` is wrong.
        var wrongSize = Self.archive(spec)
        let manifest = Self.manifest(spec)
        var badManifest = manifest
        if let at = manifest.firstRange(of: Array("(4:size1:3)".utf8)) { badManifest.replaceSubrange(at, with: Array("(4:size1:4)".utf8)) }
        XCTAssertNotEqual(badManifest, manifest)
        if let at = wrongSize.firstRange(of: manifest) { wrongSize.replaceSubrange(at, with: badManifest) }
        let good = Self.archive(spec)
        for (name, archive) in [("unlisted", Self.archive(unlisted)), ("missing", Self.archive(missing)), ("no manifest", noManifest),
                                ("no signature", noSignature), ("wrong size", wrongSize), ("cut short", Array(good.dropLast())),
                                ("trailing", good + [0x29]), ("not an archive", Array("(bundle)".utf8)), ("empty", [])] {
            XCTAssertNil(BundleETag.derivedInput(archive), name)
            XCTAssertEqual(BundleETag.of(archive), RegistrarService.etag(archive), name)
        }
        XCTAssertNotNil(BundleETag.derivedInput(good))
    }
}
