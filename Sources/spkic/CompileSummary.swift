import PolicyCompiler

/// The table `spkic compile` prints when it is done.
enum CompileSummary {
    static func render(_ result: Compilation.Result, ir: InfrastructureIR, output: String, at: Int64, tests: (passed: Int, failed: Int)?) -> String {
        let plan = result.plan
        var rows: [[String]] = [["vpxi", "epoch", "valid", "machines", "hosts", "certs", "chains", "pending"]]
        for (v, vpxi) in ir.model.vpxis.enumerated() {
            // The output's counts: those of the plan, or of the previous output for a vpxi
            // carried over.
            let counts = result.statistics.vpxis[v]
            let hosts = Set(ir.placement.hosts[v]).count
            let epoch = plan.epochs[v].map { "\($0.index + 1)/\(vpxi.schedule.count)" } ?? "ended"
            let valid = plan.epochs[v].map { $0.validity.description } ?? "-"
            rows.append([vpxi.name + (plan.carried.contains(v) ? " (unchanged)" : ""), epoch, valid, String(vpxi.machines.count), String(hosts),
                         String(counts.certs), String(counts.chains), String(counts.pending)])
        }
        var text = "compiled \(ir.model.vpxis.count) vpxi\(ir.model.vpxis.count == 1 ? "" : "s") at \(TimeWindow.format(at)) into \(output)\n\n"
        text += table(rows) + "\n"
        let flows = CertPlan.Flow.allCases.map { flow in "\(flow.rawValue) \(plan.certs.lazy.filter { $0.flow == flow }.count)" }
        let statistics = result.statistics
        if statistics.carriedVPXIs > 0 {
            text += "unchanged vpxis: \(statistics.carriedVPXIs), carried over with their \(statistics.carriedCerts) certs (not planned again)\n"
            text += "certs by flow, of the other vpxis: \(flows.joined(separator: ", "))\n"
        } else {
            text += "certs by flow: \(flows.joined(separator: ", "))\n"
        }
        let signing = result.signing
        text += "signatures: \(signing.count(.signed)) signed, \(signing.count(.reused) + statistics.carriedCerts) reused, \(signing.count(.merged)) merged, \(signing.count(.pending)) pending"
        text += " (RSA \(seconds(result.timings.rsa)), total \(seconds(result.timings.planning + result.timings.signing + result.timings.writing)))\n"
        if !ir.keys.generated.isEmpty { text += "keys generated: \(ir.keys.generated.count)\n" }
        text += "files: \(result.statistics.filesWritten) written, \(result.statistics.filesReused) unchanged\n"
        if let tests { text += "tests: \(tests.passed) passed, \(tests.failed) failed\n" }
        if signing.count(.pending) > 0 {
            text += "pending requests are in \(output)/pending: sign each with `spki sign --key ISSUER.key H.tbs -o H.sig` and compile again to merge them\n"
        }
        return text
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value < 10 ? "\(Units.number(value)) s" : "\(Int(value.rounded())) s"
    }

    /// Columns padded to their widest cell.
    static func table(_ rows: [[String]]) -> String {
        var widths = [Int](repeating: 0, count: rows.map(\.count).max() ?? 0)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count) }
                .joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
