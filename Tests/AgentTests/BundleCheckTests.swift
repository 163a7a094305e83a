import Agent
import Backends
import Foundation
import RSA
import SExpr
import SPKI
import TestSupport
import XCTest

/// Bundles built by the back ends, verified and read by the agent: what a good bundle
/// yields, and every refusal with its reason.
final class BundleCheckTests: XCTestCase {
    static let at = BundleLab.date("2026-12-01T10:00:00Z")

    static func lab(_ logins: [BundleLab.Login]? = nil) -> BundleLab {
        BundleLab(window: (BundleLab.spki("2026-12-01T08:00:00Z"), BundleLab.spki("2026-12-03T08:00:00Z")),
                  generatedAt: BundleLab.spki("2026-11-30T12:00:00Z"),
                  logins: logins ?? [BundleLab.Login(expires: BundleLab.spki("2026-12-02T20:00:00Z"))])
    }

    func verify(_ files: [String: [UInt8]], host: String = "host-a", registrar: String = "registrar") throws -> AgentBundle {
        try AgentBundle.verify(files: files, hostKey: try BundleLab.key(host).requirePrivateKey(), registrar: try BundleLab.key(registrar))
    }

    func assertRefused(_ files: [String: [UInt8]], host: String = "host-a", registrar: String = "registrar",
                       code: AgentError.Code = .bundleRefused, _ fragments: [String], line: UInt = #line) {
        XCTAssertThrowsError(try verify(files, host: host, registrar: registrar), line: line) { error in
            guard let error = error as? AgentError else { return XCTFail("\(error)", line: line) }
            XCTAssertEqual(error.code, code, error.description, line: line)
            for fragment in fragments { XCTAssertTrue(error.message.contains(fragment), error.message, line: line) }
        }
    }

    func testGoodBundleYieldsMirroredSAsOnBothHostsAndTheLogin() throws {
        let lab = Self.lab()
        let a = try verify(try lab.files("host-a"), host: "host-a")
        let b = try verify(try lab.files("host-b"), host: "host-b")
        XCTAssertEqual(a.host, "host-a")
        XCTAssertEqual(a.registrar, "lyon")
        XCTAssertEqual(a.generatedAt, BundleLab.date("2026-11-30T12:00:00Z"))
        // Four 12-hour epochs over two days, one link end per host.
        XCTAssertEqual(a.associations.count, 4)
        XCTAssertEqual(b.associations.count, 4)
        let hits = try BundleBuilder(plan: try lab.plan(), secrets: try BundleSecrets(espMasterKey: Array(repeating: 7, count: 32))).hits
        for (sa, peer) in zip(a.associations.sorted { $0.start < $1.start }, b.associations.sorted { $0.start < $1.start }) {
            XCTAssertEqual(sa.suite, .aes128GCM)
            XCTAssertEqual(sa.localHIT, hits["vm-1"])
            XCTAssertEqual(sa.peerHIT, hits["vm-2"])
            XCTAssertEqual(sa.peerLocator.description, "10.0.0.2:10500")
            XCTAssertTrue(sa.extendedSequenceNumbers)
            XCTAssertEqual(sa.replayWindow, 64)
            // Each host unwrapped its keys with its own key; they must pair up.
            XCTAssertEqual(sa.spiIn, peer.spiOut)
            XCTAssertEqual(sa.spiOut, peer.spiIn)
            XCTAssertEqual(sa.keyIn, peer.keyOut)
            XCTAssertEqual(sa.keyOut, peer.keyIn)
            XCTAssertNotEqual(sa.keyIn, sa.keyOut)
            XCTAssertEqual(sa.keyIn.count, 20)
            XCTAssertEqual(sa.start, peer.start)
            XCTAssertLessThanOrEqual(sa.end, sa.linkExpiry!)
        }
        XCTAssertEqual(a.associations.map(\.start).min(), BundleLab.date("2026-12-01T08:00:00Z"))
        let logins = try a.enforcedLogins(at: Self.at)
        XCTAssertEqual(logins, [AuthorizedLogin(vm: "vm-1", account: "alice", publicKey: try BundleLab.sshLine("alice"),
                                                expiry: BundleLab.date("2026-12-02T20:00:00Z"))])
        XCTAssertEqual(try b.enforcedLogins(at: Self.at), [])
    }

    func testKeysMatchWhatOpenSSLUnwraps() throws {
        let openssl = try ExternalTool.require("openssl", package: "openssl")
        let files = try Self.lab().files()
        let bundle = try verify(files)
        let esp = try SExpr.parse(files["esp.sexp"]!)
        let wrapped = try XCTUnwrap(esp.first("link-end")?.first("epoch")?.first("keys")?.tail.first?.atomBytes)
        let directory = try BundleLab.temporaryDirectory("openssl")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyPath = directory.appendingPathComponent("host-a.pem").path
        try FileManager.default.copyItem(atPath: PackagePaths.corpus("backends").appendingPathComponent("keys/host-a.pem").path, toPath: keyPath)
        let result = try ExternalTool.run(openssl, ["pkeyutl", "-decrypt", "-inkey", keyPath, "-pkeyopt", "rsa_padding_mode:oaep",
                                                    "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"], input: wrapped)
        XCTAssertEqual(result.status, 0, result.stderrText)
        let first = try XCTUnwrap(bundle.associations.min { $0.start < $1.start })
        XCTAssertEqual(result.stdout, first.keyIn + first.keyOut)
    }

    func testTamperedFileIsRefused() throws {
        var files = try Self.lab().files()
        files["esp.sexp"]![files["esp.sexp"]!.count / 2] ^= 0x01
        assertRefused(files, ["esp.sexp", "SHA-256", "B056"])
        var missing = try Self.lab().files()
        missing["authorized.sexp"] = nil
        assertRefused(missing, ["authorized.sexp", "missing", "B054"])
        var extra = try Self.lab().files()
        extra["esp/extra.sh"] = Array("#!/bin/sh\n".utf8)
        assertRefused(extra, ["esp/extra.sh", "B055"])
    }

    func testSignatureByAnotherRegistrarIsRefused() throws {
        var lab = Self.lab()
        lab.registrarKey = "host-c"  // the bundle is signed by a key that is not this host's registrar
        assertRefused(try lab.files(), ["signed by another key than the registrar's", "B053"])
        // And a good bundle checked against another registrar key is refused as well.
        assertRefused(try Self.lab().files(), registrar: "host-c", ["B053"])
    }

    func testBundleForAnotherHostKeyIsRefused() throws {
        assertRefused(try Self.lab().files("host-a"), host: "host-b", ["another host key", "B057"])
    }

    func testExpiredChainIsRefusedWithItsReason() throws {
        // The bundle says alice may log in until 12-02 20:00, but the registrar's cert ended at 09:00.
        let lab = Self.lab([BundleLab.Login(expires: BundleLab.spki("2026-12-02T20:00:00Z"),
                                            chainValidity: Validity(notBefore: BundleLab.spki("2026-12-01T08:00:00Z"),
                                                                    notAfter: BundleLab.spki("2026-12-01T09:00:00Z")))])
        let bundle = try verify(try lab.files())
        XCTAssertThrowsError(try bundle.enforcedLogins(at: Self.at)) { error in
            let error = error as! AgentError
            XCTAssertEqual(error.code, .chainRefused)
            XCTAssertTrue(error.message.contains("login `alice` on `vm-1`"), error.message)
            XCTAssertTrue(error.message.contains("cert 2 of the chain expired at 2026-12-01T09:00:00Z"), error.message)
        }
        // Before the cert ended, the same chain grants ssh, until the cert's end.
        XCTAssertEqual(try bundle.enforcedLogins(at: BundleLab.date("2026-12-01T08:30:00Z")).map(\.expiry),
                       [BundleLab.date("2026-12-01T09:00:00Z")])
    }

    func testChainOutsideTheTagIsRefused() throws {
        let console = Self.lab([BundleLab.Login(rights: .string("console"), expires: BundleLab.spki("2026-12-02T20:00:00Z"))])
        XCTAssertThrowsError(try verify(try console.files()).enforcedLogins(at: Self.at)) { error in
            XCTAssertTrue((error as! AgentError).message.contains("which does not include ssh on this VM"), "\(error)")
        }
        // A login on vm-2 (host-b) holds with its own chain, and not when the last grant comes from elsewhere.
        var other = Self.lab([BundleLab.Login(vm: "vm-2", expires: BundleLab.spki("2026-12-02T20:00:00Z"))])
        var files = try other.files("host-b")
        XCTAssertNoThrow(try verify(files, host: "host-b").enforcedLogins(at: Self.at))
        other.logins[0].chainIssuer = "host-c"  // the grant to the user comes from another key than the registrar
        files = try other.files("host-b")
        XCTAssertThrowsError(try verify(files, host: "host-b").enforcedLogins(at: Self.at)) { error in
            XCTAssertTrue((error as! AgentError).message.contains("no cert leads from the VM's key"), "\(error)")
        }
    }

    func testChainForAnotherVMIsRefused() throws {
        let lab = Self.lab([BundleLab.Login(vm: "vm-2", expires: BundleLab.spki("2026-12-02T20:00:00Z"), chainVM: "vm-1")])
        XCTAssertThrowsError(try verify(try lab.files("host-b"), host: "host-b").enforcedLogins(at: Self.at)) { error in
            XCTAssertTrue((error as! AgentError).message.contains("login `alice` on `vm-2`"), "\(error)")
        }
    }

    func testChainForAnotherKeyIsRefused() throws {
        let lab = Self.lab([BundleLab.Login(chainKey: "vm-5", expires: BundleLab.spki("2026-12-02T20:00:00Z"))])
        XCTAssertThrowsError(try verify(try lab.files()).enforcedLogins(at: Self.at)) { error in
            XCTAssertTrue((error as! AgentError).message.contains("no cert leads from the VM's key to the user's key"), "\(error)")
        }
    }

    func testPendingExpiredAndKeylessLoginsAreNotEnforcedAndNotErrors() throws {
        let lab = Self.lab([
            BundleLab.Login(user: "later", notBefore: BundleLab.spki("2026-12-02T08:00:00Z"), expires: BundleLab.spki("2026-12-02T20:00:00Z")),
            BundleLab.Login(user: "gone", expires: BundleLab.spki("2026-12-01T09:00:00Z")),
            BundleLab.Login(user: "nokey", sshKey: nil, expires: BundleLab.spki("2026-12-02T20:00:00Z")),
        ])
        let bundle = try verify(try lab.files())
        XCTAssertEqual(try bundle.enforcedLogins(at: Self.at), [])
        XCTAssertEqual(bundle.nextLoginStart(after: Self.at), BundleLab.date("2026-12-02T08:00:00Z"))
        XCTAssertEqual(try bundle.enforcedLogins(at: BundleLab.date("2026-12-02T09:00:00Z")).map(\.account), ["later"])
        let report = CheckReport(bundle: bundle, at: Self.at)
        XCTAssertTrue(report.errors.isEmpty)
        XCTAssertTrue(report.text.contains("pending vm-1/later from 2026-12-02T08:00:00Z"), report.text)
        XCTAssertTrue(report.text.contains("not enforced vm-1/gone: expired at 2026-12-01T09:00:00Z"), report.text)
        XCTAssertTrue(report.text.contains("not enforced vm-1/nokey: no SSH key"), report.text)
    }

    func testEd25519KeyIsMatchedToItsChain() throws {
        // A key line made by ssh-keygen; the chain grants to its SPKI form (libgcrypt's ecc).
        let line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAID+/u29UIii4vrdP1ZrRBucMVlbsLAYeOp9k/Utecr4n dave@lab"
        let until = BundleLab.spki("2026-12-02T20:00:00Z")
        let good = Self.lab([BundleLab.Login(user: "dave", sshKey: nil, expires: until, sshLine: line)])
        XCTAssertEqual(try verify(try good.files()).enforcedLogins(at: Self.at).map(\.publicKey), [line])
        // A chain for dave's key does not let another Ed25519 key in.
        let eve = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFr/Ushc4/g3yR68yKUOReyp9kwZz230lko5yD48l8pi eve@lab"
        let other = Self.lab([BundleLab.Login(user: "dave", sshKey: nil, expires: until, sshLine: eve, chainLine: line)])
        XCTAssertThrowsError(try verify(try other.files()).enforcedLogins(at: Self.at)) { error in
            XCTAssertTrue("\(error)".contains("no cert leads from the VM's key to the user's key"), "\(error)")
        }
    }

    func testBundleWithALinkIsRefused() throws {
        let nodes = try BundleLab.temporaryDirectory("link")
        defer { try? FileManager.default.removeItem(at: nodes) }
        try Self.lab().write(to: nodes.path)
        XCTAssertEqual(symlink("/etc/passwd", nodes.appendingPathComponent("host-a/passwd").path), 0)
        XCTAssertThrowsError(try AgentBundle.load(directory: nodes.appendingPathComponent("host-a").path,
                                                  hostKey: try BundleLab.key("host-a").requirePrivateKey(),
                                                  registrar: try BundleLab.key("registrar"))) { error in
            XCTAssertEqual((error as? AgentError)?.code, .bundleRefused)
            XCTAssertTrue("\(error)".contains("B042"), "\(error)")
        }
    }

    func testHITIsTheBackEndsHITAndRoundTripsAsJSON() throws {
        let hit: Backends.HIT = try Agent.HIT("2001:21:f9a5:2bae:178f:d916:e881:61de")
        let json = try JSONEncoder().encode([hit])
        XCTAssertEqual(String(decoding: json, as: UTF8.self), #"["2001:21:f9a5:2bae:178f:d916:e881:61de"]"#)
        let decoded: [HIT] = try JSONDecoder().decode(Array<HIT>.self, from: json)
        XCTAssertEqual(decoded, [hit])
        XCTAssertThrowsError(try JSONDecoder().decode(Array<HIT>.self, from: Data(#"["10.0.0.1"]"#.utf8)))
        XCTAssertThrowsError(try Agent.HIT("not-an-address"))
    }

    func testSuitesMapByName() {
        XCTAssertEqual(Agent.ESPSuite(bundleSuite: .aes128GCM), .aes128GCM)
        XCTAssertEqual(Agent.ESPSuite(bundleSuite: .aes256GCM), .aes256GCM)
        XCTAssertNil(Agent.ESPSuite(bundleSuite: .chacha20Poly1305))
        // Every suite of the data plane is reachable from a bundle suite of the same name.
        for suite in Agent.ESPSuite.allCases {
            XCTAssertTrue(Backends.ESPSuite.allCases.contains { Agent.ESPSuite(bundleSuite: $0) == suite }, "\(suite)")
        }
    }

    func testAuthenticBundlesThatSayWrongThingsAreRefused() throws {
        let lab = Self.lab()
        let files = try lab.files()
        func text(_ path: String) -> String { String(decoding: files[path]!, as: UTF8.self) }
        func replaced(_ path: String, _ old: String, _ new: String) throws -> [String: [UInt8]] {
            XCTAssertTrue(text(path).contains(old), "\(path) has \(old)")
            return try lab.resigned(files, path, Array(text(path).replacingOccurrences(of: old, with: new).utf8))
        }
        let vm1 = try XCTUnwrap(try verify(files).associations.first?.localHIT.description)
        XCTAssertNoThrow(try verify(try lab.resigned(files, "esp.sexp", files["esp.sexp"]!)), "re-signing alone changes nothing")
        // An SA for a HIT that is none of the host's VMs.
        assertRefused(try replaced("esp.sexp", "(local-hit \"\(vm1)\")", "(local-hit \"2001:21::99\")"),
                      ["2001:21::99", "none of the host's VMs"])
        // A VM whose HIT is not the ORCHID of its key.
        assertRefused(try replaced("peers.sexp", "\"\(vm1)\"", "\"2001:21::99\""), ["the HIT of `vm-1` is not the orchid-v2 of its key"])
        // A schedule for another host, an unknown suite, a malformed file.
        assertRefused(try replaced("esp.sexp", "(host host-a)", "(host host-b)"), ["`esp.sexp` is malformed", "host-b"])
        assertRefused(try replaced("esp.sexp", "aes-128-gcm", "rot13"), ["unknown suite `rot13`"])
        assertRefused(try lab.resigned(files, "authorized.sexp", Array("(authorized".utf8)), ["`authorized.sexp` is malformed"])
        // Keys wrapped to another host's key.
        let other = try Self.lab().files("host-b")
        let foreign = try SExpr.parse(other["esp.sexp"]!).first("link-end")!.first("epoch")!.first("keys")!.tail.first!.atomBytes!
        let own = try SExpr.parse(files["esp.sexp"]!).first("link-end")!.first("epoch")!.first("keys")!.tail.first!.atomBytes!
        let swapped = try replaced("esp.sexp", "|\(Data(own).base64EncodedString())|", "|\(Data(foreign).base64EncodedString())|")
        assertRefused(swapped, code: .unwrapFailed, ["not wrapped to this host's key"])
    }

    func testIPv6LocatorsAreUsedOrRefusedAsTheDataPlaneAllows() throws {
        var lab = Self.lab()
        lab.locators = ("2001:db8::1", "2001:db8::2")
        if let locator = try? Locator(address: "2001:db8::2") {
            XCTAssertEqual(Set(try verify(try lab.files()).associations.map(\.peerLocator)), [locator])
        } else {
            assertRefused(try lab.files(), ["peer locator `2001:db8::2` is not one this agent's data plane can use"])
        }
    }

    func testEveryChangedByteOfEveryFileIsRefused() throws {
        let files = try Self.lab().files()
        XCTAssertNoThrow(try verify(files))
        for path in files.keys.sorted() {
            for position in Set([0, files[path]!.count / 2, files[path]!.count - 1]) {
                var changed = files
                changed[path]![position] ^= 0x01
                XCTAssertThrowsError(try verify(changed), "\(path) byte \(position)") { error in
                    XCTAssertEqual((error as? AgentError)?.code, .bundleRefused, "\(path) byte \(position): \(error)")
                }
            }
        }
    }

    func testUnsupportedSuiteRefusesTheBundle() throws {
        var lab = Self.lab()
        lab.suite = .chacha20Poly1305
        assertRefused(try lab.files(), ["chacha20-poly1305", "not implemented"])
    }
}
