import Backends
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import SExpr
import TestSupport
import XCTest

/// The peer table and its exports: HIPL hosts, OpenHIP XML, DNS HIP RRs.
final class HIPExportsTests: XCTestCase {
    func testPeersOfEachHost() throws {
        let bundles = try TestPlan.bundles()
        let hits = try BundleBuilder(plan: TestPlan.make(), secrets: TestPlan.secrets()).hits
        let expected = ["host-a": ["vm-1", "vm-2", "vm-3", "vm-4", "vm-5"], "host-b": ["vm-1", "vm-2", "vm-3"], "host-c": ["vm-5"]]
        for (host, names) in expected {
            let table = try TestPlan.sexp(bundles[host]!, "peers.sexp")
            let peers = table.all("peer")
            XCTAssertEqual(peers.map { $0.field("name")! }, names, host)
            for peer in peers {
                let name = peer.field("name")!
                XCTAssertEqual(peer.field("hit"), hits[name]!.description)
                XCTAssertEqual(peer.field("host"), TestPlan.vmHosts[name])
                XCTAssertEqual(peer.first("public-key"), RSASExprProbe.publicKey(name))
                XCTAssertFalse(peer.first("locators")!.tail.isEmpty)
            }
            XCTAssertEqual(table.all("local").map { $0.field("name")! }, TestPlan.vmHosts.filter { $0.value == host }.keys.sorted())
        }
        // Locators keep the host's order of preference.
        let vm1 = try TestPlan.sexp(bundles["host-b"]!, "peers.sexp").all("peer").first { $0.field("name") == "vm-1" }!
        XCTAssertEqual(vm1.first("locators")!.tail.map(\.text), ["192.0.2.1", "2001:db8::1"])
    }

    func testHIPLHostsFile() throws {
        let bundles = try TestPlan.bundles()
        let hits = try BundleBuilder(plan: TestPlan.make(), secrets: TestPlan.secrets()).hits
        let lines = try TestPlan.text(bundles["host-c"]!, "hip/hosts").split(separator: "\n").filter { !$0.hasPrefix("#") }
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(String(lines[0]), "\(hits["vm-5"]!) vm-5")
        XCTAssertTrue(lines[1].hasPrefix("1."), "the LSI line")
        XCTAssertTrue(lines[1].hasSuffix(" vm-5"))
    }

    func testOpenHIPKnownHostsIsWellFormedAndComplete() throws {
        let bundles = try TestPlan.bundles()
        let xml = try TestPlan.text(bundles["host-c"]!, "hip/known_host_identities.xml")
        let document = try XMLDocument(xmlString: xml)
        let identities = try document.nodes(forXPath: "/known_host_identities/host_identity")
        XCTAssertEqual(identities.count, 1)
        let identity = try XCTUnwrap(identities.first as? XMLElement)
        XCTAssertEqual(identity.attribute(forName: "alg")?.stringValue, "RSA")
        XCTAssertEqual(identity.attribute(forName: "alg_id")?.stringValue, "5")
        XCTAssertEqual(identity.attribute(forName: "length")?.stringValue, "256")
        func child(_ name: String) -> [String] { identity.elements(forName: name).compactMap(\.stringValue) }
        let key = try Fixtures.key("vm-5").publicKey
        XCTAssertEqual(child("N"), [Hex.encode(key.modulusBytes).uppercased()])
        XCTAssertEqual(child("E"), ["010001"])
        XCTAssertEqual(child("name"), ["vm-5"])
        XCTAssertEqual(child("addr"), ["192.0.2.1", "2001:db8::1"])
        XCTAssertEqual(child("HIT"), [HIT(rsa: key).description])
        XCTAssertEqual(child("LSI").count, 1)
        if let xmllint = ExternalTool.find("xmllint") {
            for bundle in bundles.values {
                let result = try ExternalTool.run(xmllint, ["--noout", "-"], input: bundle.file("hip/known_host_identities.xml")!.bytes)
                XCTAssertEqual(result.status, 0, result.stderrText)
            }
        }
    }

    /// The zone files parse with ldns (`ldns-read-zone`), and their HIP records carry the
    /// HIT and the RFC 3110 key.
    func testDNSZoneParsesWithLDNS() throws {
        let bundles = try TestPlan.bundles()
        let zone = try TestPlan.text(bundles["host-c"]!, "hip/peers.zone")
        let key = try Fixtures.key("vm-5").publicKey
        let hip = try XCTUnwrap(zone.split(separator: "\n").first { $0.contains(" IN HIP ") })
        XCTAssertEqual(String(hip), "vm-5 IN HIP ( 2 \(HIT(rsa: key).hex) \(Base64.encode(HostIdentity(rsa: key).bytes)) )")
        XCTAssertTrue(zone.contains("vm-5 IN AAAA 2001:db8::1\n"))

        let reader = try ExternalTool.require("ldns-read-zone", package: "ldnsutils")
        let directory = try Fixtures.temporaryDirectory(self)
        for bundle in bundles.values {
            let url = directory.appendingPathComponent("\(bundle.host).zone")
            let text = "$ORIGIN overlay.example.\n$TTL 300\n" + (try TestPlan.text(bundle, "hip/peers.zone"))
            try Data(text.utf8).write(to: url)
            let result = try ExternalTool.run(reader, [url.path])
            XCTAssertEqual(result.status, 0, "\(bundle.host): \(result.stderrText)")
            let records = result.stdoutText.split(separator: "\n").filter { $0.contains("\tHIP\t") }
            XCTAssertEqual(records.count, try TestPlan.sexp(bundle, "peers.sexp").all("peer").count)
            for record in records { XCTAssertTrue(record.contains("\tHIP\t2 20010021"), String(record)) }
        }
    }
}
