import Diagnostics
import Foundation
import XCTest
@testable import PolicyLanguage

final class ParserTests: XCTestCase {
    private func bronzeStandard() throws -> (PolicyFile, SourceManager) {
        let url = Corpus.directory("ok").appendingPathComponent("bronze-standard.vp")
        let text = try String(contentsOf: url, encoding: .utf8)
        let (result, sources) = Corpus.parse(text, name: "bronze-standard.vp")
        XCTAssertEqual(result.diagnostics, [])
        return (result.policy, sources)
    }

    func testBronzeStandardDeclarations() throws {
        let (policy, _) = try bronzeStandard()
        let kinds = policy.declarations.map { declaration -> String in
            switch declaration {
            case .include: return "include"
            case .registrar: return "registrar"
            case .community: return "community"
            case .host: return "host"
            case .user: return "user"
            case .vpxi: return "vpxi"
            }
        }
        XCTAssertEqual(kinds, ["registrar", "registrar", "community", "community", "host", "host", "user", "user", "vpxi"])
        XCTAssertEqual(policy.registrars.map(\.name.text), ["lyon", "sophia"])
        XCTAssertEqual(policy.communities.map(\.name.text), ["hospital-lyon", "inria"])
        XCTAssertEqual(policy.hosts.map(\.name.base.text), ["capricorne-", "sophia-01"])
        XCTAssertEqual(policy.users.map(\.name.text), ["alice", "bob"])
        XCTAssertEqual(policy.vpxis.map(\.name.text), ["bronze-standard"])
    }

    func testHostRangeLocatorsAndCapacities() throws {
        let (policy, _) = try bronzeStandard()
        guard case .host(let host) = policy.declarations[4] else { return XCTFail("not a host") }
        XCTAssertEqual(host.name.base.text, "capricorne-")
        let names = host.name.expanded()
        XCTAssertEqual(names.count, 35)
        XCTAssertEqual(names.first?.name, "capricorne-01")
        XCTAssertEqual(names.last?.name, "capricorne-35")
        guard case .locators(let locators)? = host.properties.first(.locator)?.value else { return XCTFail("no locator") }
        XCTAssertEqual(locators[0].family, .ipv4)
        XCTAssertEqual(locators[0].address(forIndex: 7), "192.0.2.17")
        XCTAssertEqual(host.properties.quantity(.cpus)?.number.integerValue, 4)
        XCTAssertEqual(host.properties.quantity(.memory)?.baseValue, 8 * 1024 * 1024 * 1024)
        XCTAssertEqual(host.properties.names(.trustedBy).map(\.text), ["hospital-lyon", "inria"])
        guard case .registration(let registration)? = host.properties.first(.registeredWith)?.value else {
            return XCTFail("no registration")
        }
        XCTAssertEqual(registration.registrar.text, "lyon")
        XCTAssertEqual(registration.until?.secondsSinceEpoch, 1_814_313_600)
    }

    func testUsersAndKeys() throws {
        let (policy, _) = try bronzeStandard()
        guard case .user(let bob) = policy.declarations[7] else { return XCTFail("not a user") }
        XCTAssertEqual(bob.name.text, "bob")
        XCTAssertEqual(bob.key?.format, .openssh)
        XCTAssertEqual(bob.key?.text.value, "keys/bob.ssh.pub")
        XCTAssertEqual(bob.memberOf.map(\.text), ["inria"])
        XCTAssertEqual(bob.clearance?.text, "high")
    }

    func testVPXIMembers() throws {
        let (policy, sources) = try bronzeStandard()
        guard case .vpxi(let vpxi) = policy.declarations.last else { return XCTFail("not a vpxi") }
        XCTAssertEqual(vpxi.name.text, "bronze-standard")
        XCTAssertEqual(vpxi.properties.names(.owner).map(\.text), ["alice"])
        guard case .window(let window)? = vpxi.properties.first(.window)?.value else { return XCTFail("no window") }
        XCTAssertEqual(window.end.secondsSinceEpoch - window.start.secondsSinceEpoch, 20 * 86_400 + 12 * 3600)
        guard case .lifetime(let lifetime)? = vpxi.properties.first(.certificates)?.value else { return XCTFail("no lifetime") }
        XCTAssertEqual(lifetime.valid.seconds, 36 * 3600)
        XCTAssertEqual(lifetime.renewEvery?.seconds, 12 * 3600)
        XCTAssertEqual(vpxi.nodes.map(\.name.text), ["dietmaster", "moteur", "files"])
        XCTAssertEqual(vpxi.clusters.first?.size, 32)
        XCTAssertEqual(vpxi.links.count, 3)
        let link = vpxi.links[0]
        XCTAssertEqual(link.direction, .both)
        guard case .bound(let bandwidth)? = link.properties.first(.bandwidth)?.value else { return XCTFail("no bandwidth") }
        XCTAssertEqual(bandwidth.comparison, .atLeast)
        XCTAssertEqual(bandwidth.quantity.baseValue, 1e9)
        XCTAssertEqual(vpxi.properties.quantity(.maxCost)?.unit, .unitsPerHour)
        // Ranges point at the source.
        XCTAssertEqual(sources[vpxi.name.range.file].text(vpxi.name.range), "bronze-standard")
    }

    func testGrantsWithViaAndRightArguments() throws {
        let (policy, _) = try bronzeStandard()
        guard case .vpxi(let vpxi) = policy.declarations.last else { return XCTFail("not a vpxi") }
        let grants = vpxi.grants
        XCTAssertEqual(grants.count, 2)
        XCTAssertNil(grants[0].via)
        XCTAssertEqual(grants[0].rights.map(\.name.text), ["ssh", "file"])
        XCTAssertEqual(grants[0].rights[1].arguments?.count, 3)
        if case .text(let path)? = grants[0].rights[1].arguments?.last {
            XCTAssertEqual(path.value, "/data/study-42")
        } else {
            XCTFail("no path argument")
        }
        guard case .all = grants[0].target else { return XCTFail("not on all") }
        XCTAssertEqual(grants[1].grantee.text, "bob")
        XCTAssertEqual(grants[1].via?.text, "alice")
        guard case .nodes(let nodes) = grants[1].target else { return XCTFail("not on nodes") }
        XCTAssertEqual(nodes.map(\.name.text), ["worker"])
    }

    func testExpectations() throws {
        let (policy, _) = try bronzeStandard()
        guard case .vpxi(let vpxi) = policy.declarations.last else { return XCTFail("not a vpxi") }
        let expectations = vpxi.tests.flatMap(\.expectations)
        XCTAssertEqual(expectations.map(\.allowed), [true, true, false, false])
        XCTAssertEqual(expectations[0].target.index?.lower, 3)
        XCTAssertEqual(expectations[2].target.name.text, "files")
        XCTAssertNil(expectations[2].at)
        XCTAssertNotNil(expectations[3].at)
    }

    func testOptionalOnInExpectationsAndImplicitBounds() {
        let (result, _) = Corpus.parse("""
            user a key inline "ssh-ed25519 AAAA"
            vpxi v {
              owner a
              node n
              link n -> n { bandwidth 10 Mbps latency 5ms }
              grant a *, console on n[1..2] during 2026-01-01 .. 2026-02-01
              test { expect a can ssh n }
            }
            """)
        XCTAssertEqual(result.diagnostics, [])
        guard case .vpxi(let vpxi) = result.policy.declarations.last else { return XCTFail("not a vpxi") }
        guard case .bound(let latency)? = vpxi.links[0].properties.first(.latency)?.value else { return XCTFail("no latency") }
        XCTAssertEqual(latency.comparison, .atMost)
        XCTAssertFalse(latency.isExplicit)
        XCTAssertTrue(vpxi.grants[0].rights[0].isWildcard)
        XCTAssertEqual(vpxi.grants[0].during?.start.secondsSinceEpoch, 1_767_225_600)
        XCTAssertEqual(vpxi.tests[0].expectations[0].target.name.text, "n")
    }

    func testIncludesAndKeysInline() {
        let (result, _) = Corpus.parse("include \"common.vp\"\nregistrar h key pem inline \"-----BEGIN PUBLIC KEY-----\\n...\"")
        XCTAssertEqual(result.diagnostics, [])
        XCTAssertEqual(result.policy.includes.map(\.path.value), ["common.vp"])
        guard case .registrar(let registrar) = result.policy.declarations[1] else { return XCTFail("not a registrar") }
        XCTAssertEqual(registrar.key?.isInline, true)
        XCTAssertEqual(registrar.key?.format, .pem)
        XCTAssertTrue(registrar.key?.text.value.hasPrefix("-----BEGIN PUBLIC KEY-----\n") ?? false)
    }

    func testEmptyInputAndCommentsOnly() {
        XCTAssertEqual(Corpus.parse("").0.policy.declarations.count, 0)
        let (result, _) = Corpus.parse("# only a comment\n")
        XCTAssertEqual(result.diagnostics, [])
        XCTAssertEqual(result.policy.comments.count, 1)
    }
}
