import SPKI

/// The operator's listings as aligned text tables (`vpxi-registrar user list`,
/// `host list`, `vpxi list`): a header line, then one line per entry; columns two spaces
/// apart, `-` for an empty field, times in RFC 3339 UTC. Every name in them was checked
/// when it was recorded (letters, digits, `-`, `_`), so nothing needs escaping. A user's
/// fingerprint is the start of the one `spki key show` prints for their key.
public enum RegistrarListing {
    public static func users(_ users: [RegistrarService.UserEntry]) -> String {
        table(["NAME", "CLEARANCE", "OPERATOR", "COMMUNITIES", "FINGERPRINT", "ADDED"], users.map { user in
            [user.name, user.clearance ?? "-", user.isOperator ? "yes" : "no", user.communities.joined(separator: ","),
             "sha256:" + user.keyHash.prefix(16), date(user.addedAt)]
        })
    }

    public static func hosts(_ hosts: [RegistrarService.HostEntry]) -> String {
        table(["NAME", "REGISTRAR", "CPUS", "MEMORY", "SLOTS", "ALLOCATED", "ENROLLED", "APPROVED BY"], hosts.map { host in
            [host.name, host.registrar, String(host.cpus), memory(host.memory), String(host.slots), String(host.allocated),
             date(host.enrolledAt), host.approvedBy]
        })
    }

    public static func vpxis(_ vpxis: [RegistrarService.VPXIEntry]) -> String {
        table(["NAME", "OWNER", "REGISTRAR", "STATUS", "EPOCH", "MACHINES", "CREATED", "RELEASED"], vpxis.map { vpxi in
            [vpxi.name, vpxi.owner, vpxi.registrar, vpxi.status, String(vpxi.epoch), String(vpxi.machines),
             date(vpxi.createdAt), vpxi.releasedAt.map(date) ?? "-"]
        })
    }

    /// Left-aligned columns, two spaces apart, no trailing spaces.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let lines = [header] + rows.map { $0.map { $0.isEmpty ? "-" : $0 } }
        let widths = header.indices.map { column in lines.map { $0[column].count }.max() ?? 0 }
        return lines.map { fields in
            var line = ""
            for (column, field) in fields.enumerated() {
                line += field
                if column < fields.count - 1 { line += String(repeating: " ", count: widths[column] - field.count + 2) }
            }
            return line
        }.joined(separator: "\n") + "\n"
    }

    static func date(_ seconds: Int64) -> String { SPKIDate(secondsSinceEpoch: seconds).rfc3339 }

    /// Bytes in the largest binary unit that divides them (`16 GiB`, `1536 MiB`).
    static func memory(_ bytes: Int64) -> String {
        for (shift, unit) in [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")] where bytes > 0 && bytes % (Int64(1) << shift) == 0 {
            return "\(bytes >> shift) \(unit)"
        }
        return "\(bytes) B"
    }
}
