import Agent
import Foundation
import TestSupport
import XCTest

/// Following every vpxi of the host against a registrar that answers badly (a static
/// folder served by Python's `http.server`): an index for another host, or with a name that
/// is no folder name, is refused whole; a listed bundle that cannot be pulled is reported
/// and retried (the index's ETag is not kept); the folder of a vpxi no longer listed goes.
/// And `vpxi-agent run --registrar` refuses bad options with exit 2.
final class RegistrarFollowTests: XCTestCase {
    var directory: URL!
    var server: Process?

    override func setUpWithError() throws {
        directory = try BundleLab.temporaryDirectory("follow")
    }

    override func tearDown() {
        if let server, server.isRunning {
            server.terminate()
            server.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Serves `root` on a free loopback port; returns the base URL.
    func serve(_ root: URL) throws -> URL {
        let python = try ExternalTool.require("python3", package: "python3")
        let port = Int.random(in: 20000...60000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", root.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        server = process
        let base = URL(string: "http://127.0.0.1:\(port)")!
        for _ in 0..<100 {
            if (try? Data(contentsOf: base)) != nil { return base }
            usleep(100_000)
        }
        throw RegistrarFollowFailure("python3 -m http.server did not start on 127.0.0.1:\(port) within 10 s")
    }

    func writeIndex(_ root: URL, _ text: String) throws {
        let path = root.appendingPathComponent("v1/hosts/cap-01")
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        // The index is the file `bundles`; each bundle would be `bundles/VPXI`, so the index
        // lives beside them under that name only as long as no bundle is served.
        try Data(text.utf8).write(to: path.appendingPathComponent("bundles"))
    }

    func testBadIndexesAndMissingBundles() throws {
        let root = directory.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let base = try serve(root)
        let state = directory.appendingPathComponent("state").path
        let pull = RegistrarPull(base: base, host: "cap-01", vpxi: nil, stateDirectory: state)
        func refused(_ index: String, _ reason: String) throws {
            try writeIndex(root, index)
            XCTAssertThrowsError(try pull.pullAll(), index) { error in
                XCTAssertEqual((error as? AgentError)?.code, .bundleRefused)
                XCTAssertTrue("\(error)".contains(reason), "\(error)")
            }
        }
        try refused("(bundles (host cap-02) (bundle (vpxi seg) (epoch \"0\") (etag \"\\\"a\\\"\")))", "is for another host")
        try refused("(bundles (host cap-01) (bundle (vpxi \"../seg\") (epoch \"0\") (etag \"\\\"a\\\"\")))", "without a valid")
        try refused("(bundles (host cap-01) (bundle (vpxi seg) (epoch \"0\")))", "without a valid")
        try refused("(bundles (host cap-01) (bundle (vpxi seg) (etag a)) (bundle (vpxi seg) (etag b)))", "twice")
        try refused("not an index (", "is not a `(bundles")

        // A listed bundle the registrar cannot serve: reported, the index's ETag not kept;
        // a stale folder of another vpxi is removed.
        let stale = "\(pull.setDirectory)/old/cap-01"
        try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: true)
        try writeIndex(root, "(bundles (host cap-01) (bundle (vpxi seg) (epoch \"0\") (etag \"\\\"a\\\"\")))")
        let outcome = try pull.pullAll()
        XCTAssertEqual(outcome.updated, [])
        XCTAssertEqual(Array(outcome.failed.keys), ["seg"])
        XCTAssertTrue(outcome.failed["seg"]?.contains("answered 404") ?? false, "\(outcome.failed)")
        XCTAssertEqual(outcome.removed, ["old"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: stale))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(state)/pulled/cap-01.index.etag"))
    }

    func testRunRefusesBadRegistrarOptions() throws {
        let agent = PackagePaths.executable("vpxi-agent")
        let keyPath = directory.appendingPathComponent("host.key").path
        try BundleLab.key("host-a").privateKeyBytes(.pem)!.write(to: keyPath)
        let registrarPath = directory.appendingPathComponent("registrar.pub").path
        try BundleLab.key("registrar").publicKeyBytes(.pem).write(to: registrarPath)
        let cases: [([String], String)] = [
            (["--registrar", "http://127.0.0.1:9", "--vpxi", "seg"], "needs --host"),
            (["--registrar", "http://127.0.0.1:9", "--host", "cap-01", "--vpxi", "../seg"], "is not a vpxi name"),
            (["--registrar", "http://127.0.0.1:9", "--host", "../cap-01"], "needs --host"),
            (["--registrar", "ftp://127.0.0.1:9", "--host", "cap-01"], "is not an http(s) URL"),
            (["--host", "cap-01", "--bundle", directory.path], "go with --registrar"),
        ]
        for (arguments, message) in cases {
            let result = try ExternalTool.run(agent, ["run", "--key", keyPath, "--registrar-key", registrarPath, "--state", directory.appendingPathComponent("state").path] + arguments)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderrText)")
            XCTAssertTrue(result.stderrText.contains(message), "\(arguments): \(result.stderrText)")
        }
    }
}

/// A set-up step that did not work: the test fails (never skips) with this message.
struct RegistrarFollowFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
