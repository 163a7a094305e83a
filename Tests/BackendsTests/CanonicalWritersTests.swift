@testable import Backends
import Hashing
import RSA
import SExpr
import SPKI
import XCTest

/// The archive and the manifest are written straight to canonical bytes: the same bytes as
/// their `SExpr` values' canonical form, for random bundles and manifests and for the
/// bundles of the test plan.
final class CanonicalWritersTests: XCTestCase {
    var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next(_ bound: Int) -> Int {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        return Int(seed >> 33) % bound
    }

    func randomPath() -> String {
        let alphabet = Array("abcXYZ09._-~+é/")
        var path = ""
        for _ in 0..<(1 + next(30)) { path.append(alphabet[next(alphabet.count)]) }
        return path
    }

    func randomFile() -> BundleFile {
        let size = [0, 1, 9, 10, 99, 100, 1000, 5000][next(8)]
        return BundleFile(path: randomPath(), bytes: (0..<size).map { _ in UInt8(next(256)) }, mode: UInt32(next(0o1000)))
    }

    /// The archive's value as `BundleArchive.encode` made it before it wrote bytes.
    static func archiveValue(_ bundle: HostBundle) -> SExpr {
        let files: [SExpr] = bundle.files.map { file in
            ["file", ["path", .string(file.path)], ["mode", .string(String(file.mode, radix: 8))], .bytes(file.bytes)]
        }
        return .list(["bundle", ["host", .string(bundle.host)]] + files)
    }

    func testArchiveBytesAreTheValuesCanonicalForm() throws {
        for round in 0..<300 {
            let bundle = HostBundle(host: ["h", "cap-01", String(repeating: "x", count: 63)][next(3)],
                                    files: (0..<next(12)).map { _ in randomFile() })
            let bytes = BundleArchive.encode(bundle)
            XCTAssertEqual(bytes, Self.archiveValue(bundle).canonical, "round \(round)")
        }
        for bundle in try TestPlan.bundles().values {
            XCTAssertEqual(BundleArchive.encode(bundle), Self.archiveValue(bundle).canonical, bundle.host)
            XCTAssertEqual(try BundleArchive.decode(BundleArchive.encode(bundle)).files, bundle.files, bundle.host)
        }
    }

    func testManifestBytesAreTheValuesCanonicalForm() throws {
        let keys = try ["registrar", "host-a", "host-b", "vm-1"].map { RSASExpr.publicKey(try Fixtures.key($0).publicKey) }
        let odd: [SExpr] = [["public-key", .bytes([0, 1, 2], hint: Array("h".utf8))], ["public-key", ["x", .string("")]]]
        for round in 0..<300 {
            let manifest = BundleManifest(host: randomPath(), hostKey: (keys + odd)[next(6)], registrar: ["lyon", "r", "a.b-c"][next(3)],
                                          registrarKey: keys[next(4)], generatedAt: SPKIDate(secondsSinceEpoch: Int64(next(2_000_000_000))),
                                          files: (0..<next(12)).map { _ in randomFile() })
            XCTAssertEqual(manifest.canonical, manifest.sexp.canonical, "round \(round)")
        }
        for bundle in try TestPlan.bundles().values {
            let bytes = try XCTUnwrap(bundle.file(BundleManifest.fileName)).bytes
            let parsed = try BundleManifest(parsing: try SExpr.parse(bytes))
            XCTAssertEqual(parsed.canonical, bytes, bundle.host)
            XCTAssertEqual(parsed.sexp.canonical, bytes, bundle.host)
        }
    }
}
