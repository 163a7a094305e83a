import Backends
import Foundation
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// The ESP schedules: SPIs, epochs, suites and wrapped keys.
final class ESPScheduleTests: XCTestCase {
    struct SA: Hashable {
        var host: String
        var vm: String
        var peer: String
        var direction: String
        var epoch: Int
        var spi: String
        /// The `(keys |W|)` blob of the link end and epoch (both directions).
        var wrapped: [UInt8]
        /// This SA's KEYMAT, unwrapped with the host's fixture key.
        var keymat: [UInt8]
        var suite: String
    }

    static let keyLengths = ["aes-128-gcm": 20, "aes-256-gcm": 36, "aes-128-cbc-hmac-sha-256-128": 48, "chacha20-poly1305": 36]

    static func sas(_ bundles: [String: HostBundle]) throws -> [SA] {
        var result: [SA] = []
        for (host, bundle) in bundles {
            let key = try Fixtures.privateKey(host)
            let schedule = try TestPlan.sexp(bundle, "esp.sexp")
            XCTAssertEqual(schedule.field("host"), host)
            for end in schedule.all("link-end") {
                let suite = end.field("suite")!
                let length = try XCTUnwrap(keyLengths[suite])
                for epoch in end.all("epoch") {
                    let wrapped = try XCTUnwrap(epoch.first("keys")?.tail.first?.atomBytes)
                    let both = try key.decryptOAEP(wrapped)
                    XCTAssertEqual(both.count, 2 * length, suite)
                    for (offset, direction) in ["inbound", "outbound"].enumerated() {
                        let d = try XCTUnwrap(epoch.first(direction))
                        result.append(SA(host: host, vm: end.field("vm")!, peer: end.field("peer")!, direction: direction,
                                         epoch: Int(epoch.field("index")!)!, spi: d.field("spi")!, wrapped: wrapped,
                                         keymat: Array(both[(offset * length)..<((offset + 1) * length)]), suite: suite))
                    }
                }
            }
        }
        return result
    }

    func testSPIsAreUniqueOnEveryHostAndNeverReusedAcrossEpochs() throws {
        let sas = try Self.sas(try TestPlan.bundles())
        XCTAssertFalse(sas.isEmpty)
        // One SA (sender, receiver, epoch) per SPI across the plan.
        var owner: [String: [String]] = [:]
        for sa in sas {
            let sender = sa.direction == "outbound" ? sa.vm : sa.peer
            let receiver = sa.direction == "outbound" ? sa.peer : sa.vm
            let name = [sender, receiver, String(sa.epoch)]
            if let existing = owner[sa.spi] {
                XCTAssertEqual(existing, name, "SPI \(sa.spi) names two SAs")
            }
            owner[sa.spi] = name
            let value = try XCTUnwrap(UInt32(sa.spi.dropFirst(2), radix: 16))
            XCTAssertGreaterThanOrEqual(value, 256, "SPIs 0-255 are reserved")
        }
        // On each host, an SPI appears once per direction-end: twice only for an SA between
        // two VMs of that host (outbound of one, inbound of the other).
        for host in Set(sas.map(\.host)) {
            let onHost = sas.filter { $0.host == host }
            let inbound = onHost.filter { $0.direction == "inbound" }.map(\.spi)
            XCTAssertEqual(Set(inbound).count, inbound.count, "inbound SPIs unique on \(host)")
            let outbound = onHost.filter { $0.direction == "outbound" }.map(\.spi)
            XCTAssertEqual(Set(outbound).count, outbound.count, "outbound SPIs unique on \(host)")
            for spi in Set(inbound).intersection(outbound) {
                let pair = onHost.filter { $0.spi == spi }
                XCTAssertEqual(Set(pair.map { TestPlan.vmHosts[$0.peer] }), [host], "\(spi) is shared only by a same-host link")
            }
        }
        // Every SA appears on both of its hosts with the same SPI: 2 ends per SA.
        XCTAssertEqual(Dictionary(grouping: sas, by: \.spi).values.map(\.count).filter { $0 != 2 }, [])
    }

    func testEpochsCoverTheWindowWithoutGaps() throws {
        for bundle in try TestPlan.bundles().values {
            for end in try TestPlan.sexp(bundle, "esp.sexp").all("link-end") {
                let epochs = end.all("epoch")
                let starts = epochs.map { $0.field("start")! }, ends = epochs.map { $0.field("end")! }
                XCTAssertEqual(starts.first, TestPlan.windowStart.description)
                for index in 1..<epochs.count { XCTAssertEqual(starts[index], ends[index - 1], "no gap, no overlap of use") }
                XCTAssertEqual(epochs.map { Int($0.field("index")!)! }, Array(0..<epochs.count))
                let cut = [end.field("vm"), end.field("peer")].contains("vm-4")
                XCTAssertEqual(ends.last, (cut ? TestPlan.linkCut : TestPlan.windowEnd).description)
                for epoch in epochs {
                    XCTAssertGreaterThanOrEqual(epoch.field("expires")!, epoch.field("end")!, "keys outlive their use: overlap")
                }
            }
        }
    }

    func testRenewalEpochs() {
        let start = SPKIDate(year: 2026, month: 1, day: 1)!
        let end = SPKIDate(secondsSinceEpoch: start.secondsSinceEpoch + 30 * 3600)
        let epochs = BundlePlan.Epoch.renewals(windowStart: start, windowEnd: end, period: 12 * 3600, lifetime: 36 * 3600)
        XCTAssertEqual(epochs.count, 3)
        XCTAssertEqual(epochs.map { $0.end.secondsSinceEpoch - $0.start.secondsSinceEpoch }, [12 * 3600, 12 * 3600, 6 * 3600])
        XCTAssertEqual(epochs[0].expires, end, "certificates never outlive the window")
        XCTAssertEqual(epochs.last?.end, end)
        for index in 1..<epochs.count { XCTAssertEqual(epochs[index].start, epochs[index - 1].end) }
        XCTAssertTrue(BundlePlan.Epoch.renewals(windowStart: end, windowEnd: start, period: 60, lifetime: 60).isEmpty)
    }

    func testSuitesAndKeyLengths() throws {
        let bundles = try TestPlan.bundles()
        var unwrapped: [String: [UInt8]] = [:]
        for sa in try Self.sas(bundles) {
            XCTAssertEqual(sa.wrapped.count, 256, "an OAEP block of the 2048-bit host key")
            XCTAssertEqual(sa.keymat.count, Self.keyLengths[sa.suite], sa.suite)
            if let other = unwrapped[sa.spi] { XCTAssertEqual(other, sa.keymat, "both ends of SA \(sa.spi) get the same key") }
            unwrapped[sa.spi] = sa.keymat
        }
        XCTAssertEqual(Set(unwrapped.values).count, unwrapped.count, "every SA has its own key")
        // The schedule records 64-bit sequence numbers and the key wrapping.
        let schedule = try TestPlan.sexp(bundles["host-a"]!, "esp.sexp")
        XCTAssertEqual(schedule.field("sequence-number-bits"), "64")
        XCTAssertEqual(schedule.first("key-wrap")?.tail.first?.text, "rsa-oaep")
        // No link with `protect none` gets an SA; the others do.
        let pairs = Set(try Self.sas(bundles).map { [$0.vm, $0.peer].sorted() })
        XCTAssertEqual(pairs, [["vm-1", "vm-2"], ["vm-2", "vm-3"], ["vm-1", "vm-5"], ["vm-4", "vm-5"]])
    }

    /// Each wrapped key decrypts with OpenSSL and the host's key (RSA-OAEP, SHA-256,
    /// MGF1-SHA-256), to what the host's own private key gives.
    func testWrappedKeysDecryptWithOpenSSL() throws {
        let openssl = try ExternalTool.require("openssl", package: "openssl")
        let directory = try Fixtures.temporaryDirectory(self)
        let sas = try Self.sas(try TestPlan.bundles()).filter { $0.direction == "inbound" }
        XCTAssertGreaterThan(sas.count, 20)
        for (index, sa) in sas.enumerated() {
            let wrapped = directory.appendingPathComponent("\(index).bin")
            try Data(sa.wrapped).write(to: wrapped)
            let result = try ExternalTool.run(openssl, [
                "pkeyutl", "-decrypt", "-inkey", Fixtures.keyURL("\(sa.host).pem").path, "-in", wrapped.path,
                "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256",
            ])
            XCTAssertEqual(result.status, 0, result.stderrText)
            XCTAssertEqual(Array(result.stdout.prefix(sa.keymat.count)), sa.keymat, "SA \(sa.spi) on \(sa.host): the inbound KEYMAT comes first")
            XCTAssertEqual(result.stdout.count, 2 * sa.keymat.count)
        }
    }

    /// No key is in clear in any file of any bundle: not raw, not hex, not base64.
    func testNoKeyInClear() throws {
        let bundles = try TestPlan.bundles()
        let keymats = try Self.sas(bundles).map(\.keymat)
        for bundle in bundles.values {
            for file in bundle.files {
                let text = String(decoding: file.bytes, as: UTF8.self).lowercased()
                for keymat in Set(keymats) {
                    let probe = Array(keymat.prefix(12))
                    XCTAssertNil(Data(file.bytes).range(of: Data(probe)), "raw key bytes in \(bundle.host)/\(file.path)")
                    XCTAssertFalse(text.contains(Hex.encode(probe).lowercased()), "hex key in \(bundle.host)/\(file.path)")
                    XCTAssertFalse(String(decoding: file.bytes, as: UTF8.self).contains(Base64.encode(Array(keymat.prefix(12)))),
                                   "base64 key in \(bundle.host)/\(file.path)")
                }
            }
        }
    }

    func testSecretsAreNeverPrinted() throws {
        let secrets = try TestPlan.secrets()
        XCTAssertFalse("\(secrets)".contains("0102"))
        XCTAssertEqual("\(secrets)", "BundleSecrets(redacted)")
        XCTAssertThrowsError(try BundleSecrets(espMasterKey: Array(repeating: 1, count: 16))) { error in
            XCTAssertEqual((error as? BackendsError)?.code, .invalidSecret)
        }
    }

    func testAnotherSecretGivesOtherKeysButTheSameSPIs() throws {
        let plan = try TestPlan.make()
        let one = try BundleBuilder(plan: plan, secrets: TestPlan.secrets()).build(host: "host-a")
        let two = try BundleBuilder(plan: plan, secrets: BundleSecrets(espMasterKey: Array(repeating: 7, count: 32))).build(host: "host-a")
        let a = try Self.sas(["host-a": one]), b = try Self.sas(["host-a": two])
        XCTAssertEqual(a.map(\.spi), b.map(\.spi))
        XCTAssertNotEqual(a.map(\.keymat), b.map(\.keymat))
    }
}

/// A key horizon keeps the epochs a run's certificates cover, with the same SPIs and keys
/// as a full schedule: a re-run hands out the keys already in use.
final class KeyHorizonTests: XCTestCase {
    func testHorizonKeepsCurrentAndComingEpochsWithTheSameKeys() throws {
        var plan = try TestPlan.make()
        let full = try ESPScheduleTests.sas(try TestPlan.bundles(plan))
        // 2026-12-01 21:00, in epoch 1 (20:00 to 08:00), with a 20-hour horizon: epochs 1 and 2.
        plan.generatedAt = SPKIDate(year: 2026, month: 12, day: 1, hour: 21)!
        plan.keyHorizon = 20 * 3600
        let partial = try ESPScheduleTests.sas(try TestPlan.bundles(plan))
        XCTAssertEqual(Set(partial.map(\.epoch)), [1, 2])
        func unwrapped(_ sas: [ESPScheduleTests.SA]) throws -> Set<[String]> {
            Set(sas.map { [$0.host, $0.vm, $0.peer, $0.direction, String($0.epoch), $0.spi, Hex.encode($0.keymat), Hex.encode($0.wrapped)] })
        }
        XCTAssertTrue(try unwrapped(partial).isSubset(of: try unwrapped(full.filter { [1, 2].contains($0.epoch) })))
        XCTAssertEqual(try unwrapped(partial).count, full.filter { [1, 2].contains($0.epoch) }.count)
        // After the window, nothing is left to key.
        plan.generatedAt = TestPlan.windowEnd
        XCTAssertTrue(try ESPScheduleTests.sas(try TestPlan.bundles(plan)).isEmpty)
    }
}
