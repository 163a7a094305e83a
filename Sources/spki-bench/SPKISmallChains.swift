import RSA
import SExpr
import SPKI

/// Whether short chains gain from checking their signatures on several threads: for each
/// length, the wall time of `CertBag.Builder.build` on one thread and on every core, the
/// median of many alternating repetitions (`spki-bench spki --small-chains`). Sets the
/// length below which `build` stays on the calling thread by default.
struct SPKISmallChains {
    let keys: [RSAKeyFile]
    let lengths: [Int]

    /// One row per length: links, one-thread median, all-cores median (seconds).
    func run() throws -> [(links: Int, sequential: Double, parallel: Double)] {
        var rows: [(Int, Double, Double)] = []
        for links in lengths where links < keys.count {
            let bytes = try SPKIBenchmarkData.chain(keys: keys, links: links)
            var warnings: [SPKIWarning] = []
            let sequence = try SPKISequence(parsing: SExprParser().parse(bytes), warnings: &warnings)
            var builder = CertBag.Builder()
            try builder.add(sequence, origin: "bench")
            let repetitions = max(25, 2000 / links)
            var sequential: [Double] = [], parallel: [Double] = []
            for _ in 0..<repetitions {
                sequential.append(time { _ = builder.build(workers: 1) })
                parallel.append(time { _ = builder.build(workers: SPKIBenchmark.cores) })
            }
            rows.append((links, median(sequential), median(parallel)))
        }
        return rows
    }

    private func time(_ body: () -> Void) -> Double {
        let start = BenchClock.wallSeconds()
        body()
        return BenchClock.wallSeconds() - start
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
}
