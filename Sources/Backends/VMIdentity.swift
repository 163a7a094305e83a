import Hashing
import RSA
import SExpr

/// What the hypervisor configs derive from a VM's identity: a name-based UUID and MAC
/// addresses, the same on every run.
enum VMIdentity {
    /// The namespace of spkic's VM UUIDs.
    static let namespace: [UInt8] = [
        0x5f, 0x3a, 0x0c, 0x62, 0x9e, 0x1d, 0x4b, 0x7a, 0x8c, 0x27, 0x61, 0x0e, 0x4d, 0x93, 0xb2, 0x58,
    ]

    /// A version-5 UUID (RFC 9562: SHA-1 of the namespace and the name) of the VM's VPXI,
    /// name and public key: a VM keeps its UUID wherever it is placed, and a VM re-created
    /// with a new key gets a new one.
    static func uuid(_ vm: BundlePlan.VM) -> String {
        var name = Array("\(vm.vpxi)/\(vm.name)/".utf8)
        name.append(contentsOf: RSASExpr.publicKey(vm.publicKey).canonical)
        var bytes = Array(HashAlgorithm.sha1.digest(namespace + name).prefix(16))
        bytes[6] = bytes[6] & 0x0F | 0x50
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = Array(Hex.encode(bytes).utf8)
        func part(_ range: Range<Int>) -> String { String(decoding: hex[range], as: UTF8.self) }
        return [part(0..<8), part(8..<12), part(12..<16), part(16..<20), part(20..<32)].joined(separator: "-")
    }

    /// A MAC address in the hypervisor's usual range (QEMU's 52:54:00 for
    /// KVM, Xen's 00:16:3e) whose last 24 bits are the VM's LSI: unique across the plan.
    static func mac(_ lsi: LSI, hypervisor: BundlePlan.Hypervisor) -> String {
        let prefix: [UInt8] = hypervisor == .xen ? [0x00, 0x16, 0x3e] : [0x52, 0x54, 0x00]
        let bytes = prefix + [UInt8(truncatingIfNeeded: lsi.low24 >> 16), UInt8(truncatingIfNeeded: lsi.low24 >> 8), UInt8(truncatingIfNeeded: lsi.low24)]
        return bytes.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: ":")
    }
}
