import Diagnostics
import SExpr
import SPKI
@testable import PolicyCompiler

/// A large model built directly (no keys, no parsing), for placement at scale.
enum LargePolicy {
    static func fakeKey(_ seed: Int) -> PublicKeyInfo {
        let sexp: SExpr = ["public-key", ["rsa-pkcs1-sha256", ["n", .bytes(Array("fake-\(seed)".utf8))], ["e", .bytes([1, 0, 1])]]]
        return PublicKeyInfo(principal: try! Principal(parsing: sexp), rsa: nil, algorithm: "rsa-2048", sshLine: nil, origin: "test")
    }

    static func model(hosts: Int, machines: Int, users: Int) -> PolicyModel {
        let range = SourceRange(file: FileID(rawValue: 0), start: 0, end: 0)
        var model = PolicyModel()
        model.registrars = (0..<3).map { .init(name: "r\($0)", key: fakeKey(-1 - $0), range: range) }
        model.communities = (0..<3).map { .init(name: "c\($0)", range: range) }
        let window = TimeWindow(start: 1_796_083_200, end: 1_796_083_200 + 21 * 86_400)
        model.hosts = (0..<hosts).map { h in host(h, range: range) }
        model.users = (0..<users).map { .init(name: "u\($0)", key: fakeKey($0), communities: [$0 % 3], clearance: .high, range: range) }
        var vpxis: [PolicyModel.VPXI] = []
        let perVPXI = 500
        for v in 0..<(machines / perVPXI) {
            let machineList = (0..<perVPXI).map { m in
                PolicyModel.Machine(name: "w[\(m + 1)]", group: "w", index: m + 1, function: .computing, cpus: 1 + m % 2,
                                    memoryBytes: 1 << 30, diskBytes: 10 << 30, image: "img",
                                    requirements: .init(trustedBy: [0]), range: range)
            }
            let links = (1..<perVPXI).map { PolicyModel.Link(from: 0, to: $0, bidirectional: true, bandwidthBitsPerSecond: 10e6,
                                                             latencyMilliseconds: nil, protection: .aes128GCM, range: range) }
            let owner = (v * 3) % users
            let grants = [PolicyModel.Grant(user: owner, via: nil, rights: [.init(name: "ssh", arguments: nil)],
                                            rightsTag: .string("ssh"), targets: Array(0..<perVPXI), window: window, range: range)]
            vpxis.append(.init(name: "v\(v)", owner: owner, registrar: v % 3, window: window, lifetime: 36 * 3600, renewal: 12 * 3600,
                               requirements: .init(trustedBy: [0]), confidentiality: .low, maxCostPerHour: nil, maxCostRange: nil,
                               machines: machineList, links: links, grants: grants, expectations: [], range: range, nameRange: range))
        }
        model.vpxis = vpxis
        return model
    }

    static func host(_ h: Int, range: SourceRange) -> PolicyModel.Host {
        let cpus = 8 << (h % 2)
        let memory: Int64 = Int64(16 << (h % 2)) << 30
        let hypervisor: Hypervisor = h % 4 == 0 ? .kvm : .xen
        let registration = PolicyModel.Host.Registration(registrar: h % 3, from: nil, until: nil)
        let trusted: [Int] = Array(0...(h % 3))
        let locator = "10.0.\(h / 250).\(h % 250 + 1)"
        return PolicyModel.Host(name: "host-\(h)", index: h, locators: [locator], cpus: cpus, memoryBytes: memory,
                                diskBytes: 1 << 40, hypervisor: hypervisor, registration: registration, trustedBy: trusted,
                                site: "site-\(h % 10)", bandwidthBitsPerSecond: 10e9, costPerHour: Double(1 + h % 3), range: range)
    }
}
