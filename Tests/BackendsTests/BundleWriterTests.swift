import Backends
import Foundation
import XCTest

/// Bundles on disk: one folder per host, replaced atomically, read back whole.
final class BundleWriterTests: XCTestCase {
    func testWritesOneFolderPerHostAndReadsBackVerified() throws {
        let directory = try Fixtures.temporaryDirectory(self).appendingPathComponent("nodes").path
        let bundles = try TestPlan.bundles()
        let report = try BundleWriter.write(bundles.values.sorted { $0.host < $1.host }, to: directory)
        XCTAssertEqual(report.hosts, 3)
        XCTAssertEqual(report.bytes, bundles.values.reduce(0) { $0 + $1.byteCount })
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory).sorted(), ["host-a", "host-b", "host-c"])
        let registrar = try Fixtures.key("registrar")
        for (host, bundle) in bundles {
            let files = try BundleReader.read(directory: "\(directory)/\(host)")
            XCTAssertEqual(files, Dictionary(uniqueKeysWithValues: bundle.files.map { ($0.path, $0.bytes) }))
            let manifest = try BundleVerifier.verify(files: files, registrar: registrar, host: host,
                                                     hostKey: try Fixtures.key(host).publicKey)
            XCTAssertEqual(manifest.host, host)
            for file in bundle.files {
                let attributes = try FileManager.default.attributesOfItem(atPath: "\(directory)/\(host)/\(file.path)")
                XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.uint32Value, file.mode, file.path)
            }
        }
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: "\(directory)/host-b/esp/xfrm.sh")[.posixPermissions] as? NSNumber)?.intValue, 0o755)
        if let dump = ProcessInfo.processInfo.environment["BACKENDS_DUMP"] {
            _ = try BundleWriter.write(bundles.values.sorted { $0.host < $1.host }, to: dump)
        }
    }

    func testRewriteReplacesTheWholeFolder() throws {
        let directory = try Fixtures.temporaryDirectory(self).path
        let bundle = try XCTUnwrap(try TestPlan.bundles()["host-b"])
        try BundleWriter.write(bundle, to: directory)
        // A stale file from an older bundle disappears with the swap.
        let stale = "\(directory)/host-b/vms/old-vm.xml"
        XCTAssertTrue(FileManager.default.createFile(atPath: stale, contents: Data("old".utf8)))
        try BundleWriter.write(bundle, to: directory)
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["host-b"], "no temporary folder is left")
        XCTAssertNoThrow(try BundleVerifier.verify(files: BundleReader.read(directory: "\(directory)/host-b"),
                                                   registrar: try Fixtures.key("registrar")))
    }

    func testRefusesToReplaceAFileAndLeavesItAlone() throws {
        let directory = try Fixtures.temporaryDirectory(self).path
        XCTAssertTrue(FileManager.default.createFile(atPath: "\(directory)/host-b", contents: Data("not a folder".utf8)))
        let bundle = try XCTUnwrap(try TestPlan.bundles()["host-b"])
        XCTAssertThrowsError(try BundleWriter.write(bundle, to: directory)) { error in
            XCTAssertEqual((error as? BackendsError)?.code, .cannotWrite)
        }
        XCTAssertEqual(FileManager.default.contents(atPath: "\(directory)/host-b"), Data("not a folder".utf8))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), ["host-b"], "the temporary folder is removed")
    }

    func testReaderRefusesLinks() throws {
        let directory = try Fixtures.temporaryDirectory(self).path
        let bundle = try XCTUnwrap(try TestPlan.bundles()["host-c"])
        try BundleWriter.write(bundle, to: directory)
        try FileManager.default.createSymbolicLink(atPath: "\(directory)/host-c/extra", withDestinationPath: "/etc/passwd")
        XCTAssertThrowsError(try BundleReader.read(directory: "\(directory)/host-c")) { error in
            XCTAssertEqual((error as? BackendsError)?.code, .unsafePath)
        }
    }
}
