import Backends
import RSA
import SPKI
import XCTest

/// Plans that must be refused, each with its code.
final class PlanValidationTests: XCTestCase {
    func refused(_ change: (inout BundlePlan) throws -> Void) throws -> BackendsError.Code? {
        var plan = try TestPlan.make()
        try change(&plan)
        do {
            _ = try BundleBuilder(plan: plan, secrets: TestPlan.secrets())
            return nil
        } catch {
            return (error as? BackendsError)?.code
        }
    }

    func testTheTestPlanIsAccepted() throws {
        XCTAssertNil(try refused { _ in })
    }

    func testNames() throws {
        XCTAssertEqual(try refused { $0.hosts[0].name = "../etc" }, .invalidName)
        XCTAssertEqual(try refused { $0.hosts[0].name = "" }, .invalidName)
        XCTAssertEqual(try refused { $0.vms[0].name = "a..b" }, .invalidName)
        XCTAssertEqual(try refused { $0.vms[0].name = "vm." }, .invalidName)
        XCTAssertEqual(try refused { $0.vms[0].name = "-vm" }, .invalidName)
        XCTAssertEqual(try refused { $0.vms[0].name = "vm 1" }, .invalidName)
        XCTAssertEqual(try refused { $0.vms[0].name = String(repeating: "a", count: 64) }, .invalidName)
        XCTAssertEqual(try refused { $0.vms[1].name = $0.vms[0].name }, .duplicateName)
        XCTAssertEqual(try refused { $0.vpxis[0].overlayBridge = "a-bridge-name-too-long" }, .invalidName)
    }

    func testReferences() throws {
        XCTAssertEqual(try refused { $0.vms[0].host = "nowhere" }, .unknownHost)
        XCTAssertEqual(try refused { $0.vms[0].vpxi = "other" }, .unknownVPXI)
        XCTAssertEqual(try refused { $0.hosts[0].registrar = "paris" }, .unknownRegistrar)
        XCTAssertEqual(try refused { $0.links.append(BundlePlan.Link("vm-1", "vm-9")) }, .unknownVM)
        XCTAssertEqual(try refused { $0.logins[0].vm = "vm-9" }, .unknownVM)
    }

    func testRegistrarMustSign() throws {
        XCTAssertEqual(try refused { $0.registrars[0].signingKey = nil }, .registrarCannotSign)
        XCTAssertEqual(try refused { $0.registrars[0].signingKey = try Fixtures.privateKey("alice") }, .registrarCannotSign,
                       "a signing key that is not the registrar's public key")
    }

    func testLocators() throws {
        XCTAssertEqual(try refused { $0.hosts[0].locators = [] }, .noLocator)
        XCTAssertEqual(try refused { $0.hosts[0].locators = ["192.0.2.300"] }, .invalidLocator)
        // vm-4 (host-c, IPv6 only) and vm-5 (host-a) share IPv6; without it, no family is common.
        XCTAssertEqual(try refused { $0.hosts[0].locators = ["192.0.2.1"] }, .noCommonLocatorFamily)
    }

    func testWindowsAndEpochs() throws {
        XCTAssertEqual(try refused { $0.vpxis[0].epochs.removeLast() }, .invalidEpochs, "the window's end is not covered")
        XCTAssertEqual(try refused { $0.vpxis[0].epochs.remove(at: 1) }, .invalidEpochs, "a gap")
        XCTAssertEqual(try refused { $0.vpxis[0].epochs = [] }, .invalidEpochs)
        XCTAssertEqual(try refused { $0.vpxis[0].epochs[0].expires = $0.vpxis[0].epochs[0].start }, .invalidEpochs)
        XCTAssertEqual(try refused { plan in
            let start = plan.vpxis[0].windowStart
            plan.vpxis[0].windowStart = plan.vpxis[0].windowEnd
            plan.vpxis[0].windowEnd = start
        }, .invalidWindow)
        XCTAssertEqual(try refused { $0.links[0].notBefore = TestPlan.windowEnd; $0.links[0].notAfter = TestPlan.windowStart }, .invalidLink)
    }

    func testLinks() throws {
        XCTAssertEqual(try refused { $0.links.append(BundlePlan.Link("vm-1", "vm-1")) }, .invalidLink)
        XCTAssertEqual(try refused { $0.links.append(BundlePlan.Link("vm-2", "vm-1")) }, .invalidLink, "given twice")
        XCTAssertEqual(try refused { plan in
            plan.vpxis.append(BundlePlan.VPXI(name: "silver", windowStart: TestPlan.windowStart, windowEnd: TestPlan.windowEnd,
                                              epochs: plan.vpxis[0].epochs))
            plan.vms[0].vpxi = "silver"
        }, .invalidLink, "across VPXIs")
    }

    func testTextThatCouldEscapeItsFile() throws {
        XCTAssertEqual(try refused { $0.logins[0].sshPublicKey = "ssh-rsa AAAA\nssh-rsa BBBB" }, .invalidSSHKey)
        XCTAssertEqual(try refused { $0.logins[0].sshPublicKey = "command=\"/bin/sh\" ssh-rsa AAAA" }, .invalidSSHKey)
        XCTAssertEqual(try refused { $0.logins[0].user = "alice\nroot" }, .invalidText)
        XCTAssertEqual(try refused { $0.vms[0].image = "../../etc/shadow" }, .invalidText)
        XCTAssertEqual(try refused { $0.vms[0].image = "/images/a'b" }, .invalidText)
        XCTAssertEqual(try refused { $0.hosts[0].imageDirectory = "relative/path" }, .invalidText)
        XCTAssertEqual(try refused { $0.vms[0].cpus = 0 }, .invalidResources)
        XCTAssertEqual(try refused { $0.logins[0].notBefore = TestPlan.windowEnd }, .invalidWindow)
    }

    func testOneKeyPerVM() throws {
        XCTAssertEqual(try refused { $0.vms[1].publicKey = $0.vms[0].publicKey }, .duplicateName)
    }

    func testErrorsCarryNoKeyMaterial() throws {
        var plan = try TestPlan.make()
        plan.registrars[0].signingKey = nil
        do {
            _ = try BundleBuilder(plan: plan, secrets: TestPlan.secrets())
            XCTFail("accepted")
        } catch {
            let text = "\(error)"
            XCTAssertTrue(text.contains("[B007]"), text)
            XCTAssertFalse(text.contains("AAAA"))
        }
    }
}
