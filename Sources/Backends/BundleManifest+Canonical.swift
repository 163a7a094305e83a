import SExpr

extension BundleManifest {
    /// The canonical form of `sexp` (the bytes of `manifest.sexp`, and the bytes signed),
    /// written straight into one buffer rather than through `SExpr` values;
    /// `BundleBuilderTests` checks it against `sexp.canonical`.
    public var canonical: [UInt8] { canonical(hostKey: hostKey.canonical, registrarKey: registrarKey.canonical) }

    /// `canonical`, given the canonical bytes of `hostKey` and `registrarKey` (kept by a
    /// caller that writes many manifests of the same hosts: `ResolvedPlan.Base`).
    func canonical(hostKey: [UInt8], registrarKey: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128 + hostKey.count + registrarKey.count + host.utf8.count + registrar.utf8.count
                            + entries.reduce(0) { $0 + 96 + $1.path.utf8.count + $1.sha256.count })
        out.append(contentsOf: "(15:bundle-manifest(7:version1:1)(4:host".utf8)
        BundleArchive.appendAtom(host.utf8, to: &out)
        out.append(contentsOf: hostKey)
        out.append(contentsOf: ")(9:registrar".utf8)
        BundleArchive.appendAtom(registrar.utf8, to: &out)
        out.append(contentsOf: registrarKey)
        out.append(contentsOf: ")(9:generated".utf8)
        BundleArchive.appendAtom(generatedAt.description.utf8, to: &out)
        out.append(0x29)
        for entry in entries {
            out.append(contentsOf: "(4:file".utf8)
            BundleArchive.appendAtom(entry.path.utf8, to: &out)
            out.append(contentsOf: "(4:size".utf8)
            BundleArchive.appendAtom(String(entry.size).utf8, to: &out)
            out.append(contentsOf: ")(4:mode".utf8)
            BundleArchive.appendAtom(("0" + String(entry.mode, radix: 8)).utf8, to: &out)
            out.append(contentsOf: ")(4:hash6:sha256".utf8)
            BundleArchive.appendAtom(entry.sha256, to: &out)
            out.append(contentsOf: "))".utf8)
        }
        out.append(0x29)
        return out
    }
}
