import SExpr

/// A host bundle as one document, for transport (the registrar serves it, the agent pulls
/// it): the canonical S-expression
///
///     (bundle (host H) (file (path P) (mode 644) |BYTES|) ...)
///
/// with the files in path order and the mode in octal. The archive carries no trust of
/// its own: what it holds is the bundle folder, manifest and signature included, and the
/// reader verifies the folder as it would any other (`vpxi-agent check`).
public enum BundleArchive {
    /// The largest archive `decode` reads, and the most files it accepts.
    public static let sizeLimit = 64 << 20
    public static let fileLimit = 100_000

    /// The archive of `bundle`, in canonical form: written straight into one buffer of the
    /// right size (no `SExpr` values, no copy of the files' bytes but the one into it);
    /// `BundleArchiveTests` checks it against the value's canonical form.
    public static func encode(_ bundle: HostBundle) -> [UInt8] {
        var size = 32 + bundle.host.utf8.count
        for file in bundle.files { size += 64 + file.path.utf8.count + file.bytes.count }
        var out: [UInt8] = []
        out.reserveCapacity(size)
        out.append(contentsOf: "(6:bundle(4:host".utf8)
        appendAtom(bundle.host.utf8, to: &out)
        out.append(0x29)
        for file in bundle.files {
            out.append(contentsOf: "(4:file(4:path".utf8)
            appendAtom(file.path.utf8, to: &out)
            out.append(contentsOf: ")(4:mode".utf8)
            appendAtom(String(file.mode, radix: 8).utf8, to: &out)
            out.append(0x29)
            appendAtom(file.bytes, to: &out)
            out.append(0x29)
        }
        out.append(0x29)
        return out
    }

    /// `LENGTH:BYTES`, the canonical form of an atom without a hint.
    static func appendAtom<Bytes: Collection<UInt8>>(_ bytes: Bytes, to out: inout [UInt8]) {
        out.append(contentsOf: String(bytes.count).utf8)
        out.append(0x3A)
        out.append(contentsOf: bytes)
    }

    /// The bundle an archive holds. Refuses anything but the form above: a host name that
    /// is not a folder name, an unsafe or repeated path, a mode beyond 0777.
    public static func decode(_ bytes: [UInt8]) throws(BackendsError) -> HostBundle {
        guard bytes.count <= sizeLimit else {
            throw BackendsError(.cannotRead, "the bundle archive has \(bytes.count) bytes, more than \(sizeLimit)")
        }
        let document: SExpr
        do {
            document = try SExpr.parse(bytes)
        } catch {
            throw malformed("it is not an S-expression (\(error))")
        }
        guard document.head == "bundle", let host = document.first("host")?.tail.first?.text else {
            throw malformed("it does not start with `(bundle (host H)`")
        }
        guard PlanText.isName(host) else { throw BackendsError(.unsafePath, "the bundle archive names host `\(host.prefix(80))`, which cannot be a folder name") }
        var files: [BundleFile] = []
        var paths = Set<String>()
        for item in document.tail.dropFirst() {
            guard item.head == "file", files.count < fileLimit, let parts = item.listValue, parts.count == 4,
                  parts[1].head == "path", let path = parts[1].tail.first?.text,
                  parts[2].head == "mode", let modeText = parts[2].tail.first?.text, let mode = UInt32(modeText, radix: 8), mode <= 0o777,
                  let content = parts[3].atomBytes else {
                throw malformed("an entry is not `(file (path P) (mode OCTAL) |BYTES|)`")
            }
            guard BundleFile.isSafe(path) else { throw BackendsError(.unsafePath, "the bundle archive holds an unsafe path `\(path.prefix(80))`") }
            guard paths.insert(path).inserted else { throw malformed("the path `\(path.prefix(80))` is given twice") }
            files.append(BundleFile(path: path, bytes: content, mode: mode))
        }
        return HostBundle(host: host, files: files)
    }

    static func malformed(_ why: String) -> BackendsError {
        BackendsError(.manifestMalformed, "the bundle archive is malformed: \(why)",
                      help: "pull it again; an archive is `(bundle (host H) (file (path P) (mode OCTAL) |BYTES|)...)`")
    }
}
