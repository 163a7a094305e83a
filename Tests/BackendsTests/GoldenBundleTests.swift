import Backends
import Foundation
import TestSupport
import XCTest

/// The test plan's bundles, byte for byte, against `corpus/backends/bundles/`: any change to
/// a bundle format shows up here (and in review). The checked-in bundles are also fixtures
/// for the agent: they verify with `keys/registrar.pem` and unwrap with `keys/host-*.pem`.
///
/// Regenerate on purpose only: `UPDATE_GOLDEN=1 swift test --filter GoldenBundleTests`.
final class GoldenBundleTests: XCTestCase {
    static let directory = Fixtures.directory.appendingPathComponent("bundles").path

    func testBundlesMatchTheCheckedInOnes() throws {
        let bundles = try TestPlan.bundles().values.sorted { $0.host < $1.host }
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.removeItem(atPath: Self.directory)
            _ = try BundleWriter.write(bundles, to: Self.directory)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: Self.directory).sorted(), bundles.map(\.host))
        let registrar = try Fixtures.key("registrar")
        for bundle in bundles {
            let golden = try BundleReader.read(directory: "\(Self.directory)/\(bundle.host)")
            XCTAssertEqual(golden.keys.sorted(), bundle.files.map(\.path), bundle.host)
            for file in bundle.files {
                XCTAssertEqual(golden[file.path], file.bytes,
                               "\(bundle.host)/\(file.path) changed; if on purpose, run with UPDATE_GOLDEN=1 and review the diff")
            }
            XCTAssertNoThrow(try BundleVerifier.verify(files: golden, registrar: registrar, host: bundle.host))
        }
    }
}
