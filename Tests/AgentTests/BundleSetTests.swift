import Agent
import Backends
import Foundation
import Logging
import RSA
import SPKI
import TestSupport
import XCTest

/// One agent, several vpxis (`AgentSource.bundleSet`): each vpxi's bundle is verified and
/// applied on its own. A bad one (tampered, older, clashing SPIs) keeps that vpxi's last
/// good state and does not hold back the others; a vpxi whose folder disappears takes its
/// SAs and logins with it.
final class BundleSetTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = try BundleLab.temporaryDirectory("set")
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    /// A lab whose window starts `before` seconds before `now` (so its SAs, named by
    /// their epochs, differ from another window's), generated `offset` seconds from now.
    func lab(before: Int64, generated offset: Int64, _ logins: [BundleLab.Login], now: Date) -> BundleLab {
        BundleLab(window: BundleLab.around(now, before: before), generatedAt: SPKIDate(secondsSinceEpoch: Int64(now.timeIntervalSince1970) + offset),
                  logins: logins)
    }

    /// Writes host-a's bundle of `lab` as the vpxi folder `name`, with one byte of `path` changed when asked.
    func write(_ lab: BundleLab, as name: String, corrupting path: String? = nil) throws {
        try lab.write(to: directory.appendingPathComponent("vpxis/\(name)").path, corrupting: path.map { ("host-a", $0) })
    }

    func testEachVPXIIsAppliedOnItsOwn() throws {
        let now = Date()
        let keys = directory.appendingPathComponent("keys").path
        let state = directory.appendingPathComponent("state").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let log = CapturedLog()
        let logger = Logger(label: "test") { _ in log }
        func makeRuntime() throws -> (AgentRuntime, BundleSet) {
            let set = BundleSet(directory: directory.appendingPathComponent("vpxis").path, host: "host-a", registrar: try BundleLab.key("registrar"),
                                recordPath: "\(state)/bundles-generated", logger: logger)
            let runtime = AgentRuntime(options: .init(source: .bundleSet(set), stateDirectory: state, authorizedKeysDirectory: keys, tunName: nil,
                                                      listen: try Locator(parsing: "127.0.0.1:10500"), retryRefused: 0),
                                       hostKey: try BundleLab.key("host-a").requirePrivateKey(), logger: logger)
            return (runtime, set)
        }
        let (runtime, set) = try makeRuntime()
        let until = now.addingTimeInterval(86400)
        let alice = "\(keys)/vm-1/alice", bob = "\(keys)/vm-1/bob"
        func count(_ text: String) -> Int { log.text.components(separatedBy: text).count - 1 }

        // 1. Two vpxis: `bronze` with alice's login, `other` with SAs only.
        try write(lab(before: 3600, generated: -7200, [BundleRunTests.login("alice", key: "alice", until: until)], now: now), as: "bronze")
        try write(lab(before: 7200, generated: -7200, [], now: now), as: "other")
        runtime.reload(now: now)
        XCTAssertEqual(set.applied, ["bronze", "other"], log.text)
        let both = runtime.table.entries().count
        XCTAssertGreaterThan(both, 0)
        XCTAssertEqual(runtime.activeLogins.map(\.account), ["alice"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: alice))

        // 2. `other` tampered with while `bronze` moves on (bob instead of alice): bronze's
        //    new state is applied, other keeps its SAs.
        try write(lab(before: 7200, generated: -3600, [], now: now), as: "other", corrupting: "esp.sexp")
        try write(lab(before: 3600, generated: -3600, [BundleRunTests.login("bob", key: "host-c", until: until)], now: now), as: "bronze")
        runtime.reload(now: now)
        XCTAssertTrue(log.text.contains("bundle of vpxi refused, keeping its last good one"), log.text)
        XCTAssertTrue(log.text.contains("vpxi=other"), log.text)
        XCTAssertEqual(runtime.activeLogins.map(\.account), ["bob"], log.text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: alice))
        XCTAssertEqual(runtime.table.entries().count, both, "other's SAs stay")

        // 3. An older bundle of `other`: refused (no rollback), per vpxi.
        try write(lab(before: 7200, generated: -9000, [], now: now), as: "other")
        runtime.reload(now: now)
        XCTAssertEqual(count("before the one running"), 1, log.text)
        XCTAssertEqual(set.applied, ["bronze", "other"])

        // 4. `other` with bronze's SAs (the same window, so the same SPIs): refused, bronze untouched.
        try write(lab(before: 3600, generated: -1800, [], now: now), as: "other")
        runtime.reload(now: now)
        XCTAssertEqual(count("inbound SPI"), 1, log.text)
        XCTAssertEqual(runtime.activeLogins.map(\.account), ["bob"])
        XCTAssertEqual(runtime.table.entries().count, both)

        // 5. `bronze` released (its folder removed): bob's key and bronze's SAs go; `other`,
        //    no longer clashing, is applied.
        try FileManager.default.removeItem(at: directory.appendingPathComponent("vpxis/bronze"))
        runtime.reload(now: now)
        XCTAssertEqual(set.applied, ["other"], log.text)
        XCTAssertEqual(runtime.activeLogins.map(\.account), [])
        XCTAssertFalse(FileManager.default.fileExists(atPath: bob))
        XCTAssertTrue(log.text.contains("vpxi gone from the host's bundles"), log.text)
        XCTAssertGreaterThan(runtime.table.entries().count, 0)

        // 6. After a restart, the per-vpxi times are kept: an older `other` is still refused.
        try write(lab(before: 7200, generated: -2400, [], now: now), as: "other")
        let (restarted, restartedSet) = try makeRuntime()
        restarted.reload(now: now)
        XCTAssertEqual(restartedSet.applied, [], log.text)
        XCTAssertEqual(count("before the one running"), 2, log.text)
    }
}
