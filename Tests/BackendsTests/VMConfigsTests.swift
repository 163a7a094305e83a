import Backends
import Foundation
import TestSupport
import XCTest

/// libvirt domains and volumes (checked by `virt-xml-validate`), and Xen `xl` configs.
final class VMConfigsTests: XCTestCase {
    func testEveryVMXMLPassesVirtXMLValidate() throws {
        let validate = try ExternalTool.require("virt-xml-validate", package: "libvirt-clients")
        _ = try ExternalTool.require("xmllint", package: "libxml2-utils")
        let directory = try Fixtures.temporaryDirectory(self)
        var checked = 0
        for bundle in try TestPlan.bundles().values {
            for file in bundle.files where file.path.hasPrefix("vms/") && file.path.hasSuffix(".xml") {
                let url = directory.appendingPathComponent("\(bundle.host)-\(file.path.dropFirst(4))")
                try Data(file.bytes).write(to: url)
                let result = try ExternalTool.run(validate, [url.path])
                XCTAssertEqual(result.status, 0, "\(bundle.host)/\(file.path): \(result.stderrText)\(result.stdoutText)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 10, "a domain and a volume for each of the 5 VMs")
        // The validator is not a rubber stamp: a broken domain fails.
        let broken = directory.appendingPathComponent("broken.xml")
        try Data("<domain type='kvm'><name>x</name><memory>zero</memory></domain>".utf8).write(to: broken)
        XCTAssertNotEqual(try ExternalTool.run(validate, [broken.path]).status, 0)
    }

    func testDomainContents() throws {
        let bundles = try TestPlan.bundles()
        let kvm = try TestPlan.text(bundles["host-a"]!, "vms/vm-1.xml")
        XCTAssertTrue(kvm.hasPrefix("<domain type='kvm'>"))
        XCTAssertTrue(kvm.contains("<memory unit='KiB'>524288</memory>"))
        XCTAssertTrue(kvm.contains("<vcpu placement='static'>1</vcpu>"))
        XCTAssertTrue(kvm.contains("<source file='/var/lib/libvirt/images/vm-1.qcow2'/>"))
        XCTAssertTrue(kvm.contains("<model type='virtio'/>"))
        let hit = try BundleBuilder(plan: TestPlan.make(), secrets: TestPlan.secrets()).hits["vm-1"]!
        XCTAssertTrue(kvm.contains("<spkic:hit>\(hit)</spkic:hit>"))
        let xen = try TestPlan.text(bundles["host-b"]!, "vms/vm-2.xml")
        XCTAssertTrue(xen.hasPrefix("<domain type='xen'>"))
        XCTAssertTrue(xen.contains("<mac address='00:16:3e:"))
        // A VM without an image gets a blank volume of its declared size.
        let blank = try TestPlan.text(bundles["host-b"]!, "vms/vm-3.volume.xml")
        XCTAssertTrue(blank.contains("<capacity unit='bytes'>\(UInt64(200) << 30)</capacity>"))
        XCTAssertFalse(blank.contains("backingStore"))
        XCTAssertTrue(try TestPlan.text(bundles["host-c"]!, "vms/vm-4.volume.xml").contains("<path>/srv/images/debian-etch-amd64.qcow2</path>"))
    }

    func testUUIDsAndMACsAreStableAndDistinct() throws {
        let bundles = try TestPlan.bundles()
        var uuids = Set<String>(), macs = Set<String>()
        for bundle in bundles.values {
            for file in bundle.files where file.path.hasPrefix("vms/") && !file.path.contains(".volume.") && file.path.hasSuffix(".xml") {
                let text = String(decoding: file.bytes, as: UTF8.self)
                let uuid = try XCTUnwrap(text.between("<uuid>", "</uuid>"))
                XCTAssertEqual(uuid.count, 36)
                XCTAssertEqual(Array(uuid)[14], "5", "a version-5 UUID")
                XCTAssertTrue("89ab".contains(Array(uuid)[19]), "the RFC 9562 variant")
                uuids.insert(uuid)
                macs.insert(try XCTUnwrap(text.between("<mac address='", "'/>")))
            }
        }
        XCTAssertEqual(uuids.count, 5)
        XCTAssertEqual(macs.count, 5)
        XCTAssertEqual(try TestPlan.bundles()["host-a"]!.files, bundles["host-a"]!.files, "the same on every run")
    }

    func testXLConfigOnXenHostsOnly() throws {
        let bundles = try TestPlan.bundles()
        XCTAssertNil(bundles["host-a"]!.file("vms/vm-1.cfg"), "no xl config on a KVM host")
        let config = try TestPlan.text(bundles["host-b"]!, "vms/vm-2.cfg")
        var settings: [String: String] = [:]
        for line in config.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            XCTAssertEqual(parts.count, 2, String(line))
            XCTAssertNil(settings.updateValue(parts[1], forKey: parts[0]), "set once: \(parts[0])")
        }
        XCTAssertEqual(settings["name"], "\"vm-2\"")
        XCTAssertEqual(settings["type"], "\"hvm\"")
        XCTAssertEqual(settings["vcpus"], "1")
        XCTAssertEqual(settings["memory"], "512")
        XCTAssertEqual(settings["disk"], "[ \"format=qcow2,vdev=xvda,access=rw,target=/var/lib/xen/images/vm-2.qcow2\" ]")
        XCTAssertTrue(settings["vif"]?.hasPrefix("[ \"mac=00:16:3e:") == true)
        let domain = try TestPlan.text(bundles["host-b"]!, "vms/vm-2.xml")
        XCTAssertEqual(settings["uuid"], "\"\(domain.between("<uuid>", "</uuid>")!)\"", "the same UUID as the libvirt domain")
    }
}

extension String {
    func between(_ start: String, _ end: String) -> String? {
        guard let a = range(of: start), let b = self[a.upperBound...].range(of: end) else { return nil }
        return String(self[a.upperBound..<b.lowerBound])
    }
}
