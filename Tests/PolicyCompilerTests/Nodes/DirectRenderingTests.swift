import Foundation
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest
@testable import Backends
@testable import PolicyCompiler

/// `esp.sexp`, `peers.sexp` and `authorized.sexp` are written straight into a flat document
/// (`SExprDocument.Builder`); here they are checked byte for byte against the rendering they
/// replaced (`SExpr` values, then `advanced(width: 100)` and a newline, kept below as the
/// reference), on every host of the shipped examples (with their logins and chains) and of
/// a generated plan with links in both GCM suites and several epochs.
final class DirectRenderingTests: XCTestCase {
    func testTheExamplesRenderAsTheValuesDid() throws {
        var hosts = 0
        for name in ["bronze-standard", "secondary-user", "two-registrars", "with-include"] {
            let store = KeyStoreDirectory(directories: [try CompileFixture.temporaryDirectory(self)] + CompileFixture.demoStore.directories)
            let ir = try CompileFixture.ir(try CompileFixture.analysis(name), store: store)
            let (result, keys) = try NodeBundlePlanner.plan(ir: ir, at: CompileFixture.at, keyStore: store, generateMissing: true)
            hosts += try compare(result.plan, secrets: keys.secrets, name)
        }
        XCTAssertGreaterThan(hosts, 36)
    }

    func testAGeneratedPlanRendersAsTheValuesDid() throws {
        var shape = BundleBenchmark.Shape()
        shape.hosts = 12
        shape.vms = 60
        shape.vmsPerVPXI = 15
        shape.windowSeconds = 3 * 86_400
        let registrar = try RSAKeyFile.load([UInt8](try Data(contentsOf: PackagePaths.corpus("keys").appendingPathComponent("lyon.key"))))
        let plan = try BundleBenchmark.plan(shape, registrar: try XCTUnwrap(registrar.privateKey))
        XCTAssertFalse(plan.links.isEmpty)
        XCTAssertEqual(try compare(plan, secrets: try BundleSecrets(espMasterKey: [UInt8](repeating: 7, count: 32)), "generated"), 12)
    }

    /// Compares the three files of every host of `plan`; the number of hosts.
    func compare(_ plan: BundlePlan, secrets: BundleSecrets, _ name: String) throws -> Int {
        let resolved = try ResolvedPlan(plan)
        let sas = try SecurityAssociations(resolved)
        var linkEnds = 0
        for host in plan.hosts.indices {
            let ends = LinkEnd.of(host: host, resolved: resolved, sas: sas)
            linkEnds += ends.count
            let table = PeerTable(host: host, resolved: resolved)
            let hostName = plan.hosts[host].name
            XCTAssertEqual(String(decoding: table.text(resolved), as: UTF8.self), Self.text(Self.peers(table, resolved)), "\(name) \(hostName) peers.sexp")
            XCTAssertEqual(String(decoding: try ESPScheduleFile.text(host: host, ends: ends, resolved: resolved, sas: sas, secrets: secrets), as: UTF8.self),
                           Self.text(try Self.esp(host: host, ends: ends, resolved: resolved, sas: sas, secrets: secrets)), "\(name) \(hostName) esp.sexp")
            XCTAssertEqual(String(decoding: AuthorizedFile.text(host: host, resolved: resolved), as: UTF8.self),
                           Self.text(Self.authorized(host: host, resolved: resolved)), "\(name) \(hostName) authorized.sexp")
        }
        XCTAssertEqual(linkEnds, 2 * plan.links.count, name)
        return plan.hosts.count
    }

    // The reference: the value-based rendering the bundles used before.

    static func text(_ value: SExpr) -> String { value.advanced(width: 100) + "\n" }

    static func esp(host: Int, ends: [LinkEnd], resolved: ResolvedPlan, sas: SecurityAssociations, secrets: BundleSecrets) throws -> SExpr {
        let plan = resolved.plan
        let hostValue = plan.hosts[host]
        var items: [SExpr] = [
            "esp-schedule",
            ["version", .string(String(ESPScheduleFile.version))],
            ["host", .string(hostValue.name)],
            ["sequence-number-bits", .string(String(ESPScheduleFile.sequenceNumberBits))],
            ["replay-window", .string(String(ESPScheduleFile.replayWindow))],
            ["key-wrap", "rsa-oaep", ["hash", "sha256"], ["mgf1", "sha256"], ["label", .string("")]],
        ]
        for end in ends {
            let link = plan.links[end.link]
            let local = plan.vms[end.localVM], peer = plan.vms[end.peerVM]
            let suite = link.suite!
            var entry: [SExpr] = [
                "link-end", ["vm", .string(local.name)], ["peer", .string(peer.name)], ["vpxi", .string(local.vpxi)],
                ["peer-host", .string(peer.host)], ["suite", .string(suite.rawValue)],
            ]
            if let id = suite.hipSuiteID { entry.append(["hip-esp-transform", .string(String(id))]) }
            entry.append(["local-hit", .string(resolved.hits[end.localVM].description)])
            entry.append(["peer-hit", .string(resolved.hits[end.peerVM].description)])
            entry.append(["local-locator", .string(end.localLocator.description)])
            entry.append(["peer-locator", .string(end.peerLocator.description)])
            entry.append(["reqid", .string(String(end.reqid))])
            if let bandwidth = link.bandwidthBitsPerSecond { entry.append(["bandwidth-bps", .string(String(bandwidth))]) }
            if let latency = link.latencyMicroseconds { entry.append(["latency-us", .string(String(latency))]) }
            for (inbound, outbound) in end.epochs {
                let sa = sas.all[inbound]
                entry.append([
                    "epoch", ["index", .string(String(sa.epoch.index))], ["start", .string(sa.start.description)],
                    ["end", .string(sa.end.description)], ["expires", .string(sa.expires.description)],
                    ["inbound", ["spi", .string(SecurityAssociation.spiText(sa.spi))]],
                    ["outbound", ["spi", .string(SecurityAssociation.spiText(sas.all[outbound].spi))]],
                    ["keys", .bytes(try ESPScheduleFile.wrappedKeys(sa, sas.all[outbound], host: hostValue, secrets: secrets))],
                ])
            }
            items.append(.list(entry))
        }
        return .list(items)
    }

    static func peers(_ table: PeerTable, _ resolved: ResolvedPlan) -> SExpr {
        let plan = resolved.plan
        var items: [SExpr] = ["peers", ["version", "1"], ["host", .string(plan.hosts[table.host].name)], ["hit-format", .string(plan.hitVersion.rawValue)]]
        for vm in table.locals {
            let value = plan.vms[vm]
            items.append(["local", ["name", .string(value.name)], ["vpxi", .string(value.vpxi)], ["hit", .string(resolved.hits[vm].description)],
                          ["lsi", .string(resolved.lsis[vm].description)], value.publicKeySExpr])
        }
        for peer in table.peers {
            let value = plan.vms[peer.vm]
            items.append([
                "peer", ["name", .string(value.name)], ["vpxi", .string(value.vpxi)], ["host", .string(value.host)],
                ["hit", .string(resolved.hits[peer.vm].description)], ["lsi", .string(resolved.lsis[peer.vm].description)], value.publicKeySExpr,
                .list(["locators"] + resolved.locators[resolved.host(of: peer.vm)].map { .string($0.description) }),
                .list(["linked-from"] + peer.linkedFrom.map { .string($0) }),
            ])
        }
        return .list(items)
    }

    static func authorized(host: Int, resolved: ResolvedPlan) -> SExpr {
        let plan = resolved.plan
        var items: [SExpr] = ["authorized", ["version", "1"], ["host", .string(plan.hosts[host].name)]]
        for vm in resolved.vmsOfHost[host] {
            var entry: [SExpr] = ["vm", ["name", .string(plan.vms[vm].name)], ["hit", .string(resolved.hits[vm].description)]]
            for index in resolved.loginsOfVM[vm] {
                let login = plan.logins[index]
                var fields: [SExpr] = ["login", ["user", .string(login.user)]]
                if let key = login.sshPublicKey { fields.append(["ssh-key", .string(key)]) }
                if let start = login.notBefore { fields.append(["not-before", .string(start.description)]) }
                fields.append(["expires", .string(login.expires.description)])
                fields.append(["chain", login.chain])
                entry.append(.list(fields))
            }
            items.append(.list(entry))
        }
        return .list(items)
    }
}
