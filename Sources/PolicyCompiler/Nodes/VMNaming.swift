import Hashing
import SExpr

/// The names the back ends give the machines of a policy: one DNS label per machine,
/// unique across the whole plan (VM names become file names, libvirt domain names and DNS
/// owner names in the bundles).
///
/// A machine `worker[3]` of vpxi `bronze-standard` is `bronze-standard-worker-3`: the vpxi
/// and the machine, each with every run of characters other than `A-Z a-z 0-9` turned
/// into one `-`, joined by `-`. The vpxi is always part of the name, so that declaring a
/// new vpxi never renames the VMs of another. When that label would be longer than 63
/// characters, or two machines would get the same label (DNS compares case-insensitively),
/// each of them is cut to 54 characters and gets `-` and the first 8 hex digits of the
/// SHA-256 of `VPXI/MACHINE`.
public enum VMNaming {
    /// The longest DNS label.
    public static let maximumLength = 63

    /// The names of every machine, `[vpxi][machine]`, for machines named `names[v][m]` in
    /// vpxis named `vpxis[v]`.
    public static func names(vpxis: [String], machines: [[String]]) -> [[String]] {
        var labels = vpxis.indices.map { v in machines[v].map { label(vpxi: vpxis[v], machine: $0) } }
        var seen: [String: Int] = [:]
        for row in labels { for name in row { seen[name.lowercased(), default: 0] += 1 } }
        for v in labels.indices {
            for m in labels[v].indices where labels[v][m].count > maximumLength || seen[labels[v][m].lowercased()]! > 1 {
                labels[v][m] = qualified(labels[v][m], vpxi: vpxis[v], machine: machines[v][m])
            }
        }
        return labels
    }

    /// `VPXI-MACHINE` with every other character run turned into `-`.
    public static func label(vpxi: String, machine: String) -> String {
        let parts = [sanitize(vpxi), sanitize(machine)].filter { !$0.isEmpty }
        return parts.isEmpty ? "vm" : parts.joined(separator: "-")
    }

    static func sanitize(_ text: String) -> String {
        var out = ""
        var dash = false
        for scalar in text.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if dash, !out.isEmpty { out.append("-") }
                dash = false
                out.unicodeScalars.append(scalar)
            } else {
                dash = true
            }
        }
        return out
    }

    static func qualified(_ label: String, vpxi: String, machine: String) -> String {
        let digest = HashAlgorithm.sha256.digest(Array("\(vpxi)/\(machine)".utf8))
        var base = String(label.prefix(maximumLength - 9))
        while base.hasSuffix("-") { base.removeLast() }
        return base + "-" + String(Hex.encode(digest).prefix(8))
    }
}
