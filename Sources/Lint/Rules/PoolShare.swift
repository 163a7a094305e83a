import PolicyCompiler

/// A vpxi that asks for more than the configured share of the pool's processors
/// (`max-pool-share`, half by default): one request that starves the others, and leaves
/// no room to move machines when a host fails.
struct PoolShare: LintRule {
    static let descriptor = RuleDescriptor(
        id: "pool-share", category: .robustness, defaultLevel: .warning,
        summary: "a vpxi that takes more than the configured share of the pool's processors")

    func check(_ context: LintContext) -> [LintFinding] {
        let pool = context.model.hosts.reduce(0) { $0 + $1.cpus }
        guard pool > 0 else { return [] }
        return context.model.vpxis.compactMap { vpxi in
            let cpus = vpxi.machines.reduce(0) { $0 + $1.cpus }
            let share = Double(cpus) / Double(pool)
            guard share > context.options.maxPoolShare else { return nil }
            let percent = Int((share * 100).rounded())
            let limit = Int((context.options.maxPoolShare * 100).rounded())
            return finding("vpxi `\(vpxi.name)` takes \(cpus) of the pool's \(pool) processors (\(percent)%), more than \(limit)%",
                           at: vpxi.nameRange, label: "\(percent)% of the pool",
                           help: "split the vpxi, shrink its clusters, or add hosts; or raise `max-pool-share` in the lint configuration")
        }
    }
}
