import Diagnostics
import PolicyCompiler

/// A delegating user's certificates carry `propagate` on every machine they delegate on,
/// in every epoch; when no `via` grant needs it in some epochs, the user could delegate
/// to anyone then (the paper: no open delegation to users).
struct OpenDelegation: LintRule {
    static let descriptor = RuleDescriptor(
        id: "open-delegation", category: .security, defaultLevel: .warning,
        summary: "a user who may propagate rights on a machine at times when no `via` grant needs it")

    func check(_ context: LintContext) -> [LintFinding] {
        var findings: [LintFinding] = []
        for vpxi in context.model.vpxis {
            let schedule = vpxi.schedule
            let delegators = Set(vpxi.grants.compactMap(\.via))
            for delegator in delegators.sorted() {
                let held = vpxi.grants.filter { $0.user == delegator }
                let delegated = vpxi.grants.filter { $0.via == delegator }
                let machines = Set(delegated.flatMap(\.targets)).sorted()
                var open: [Int: TimeWindow] = [:]
                for epoch in (0..<schedule.count).map(schedule.epoch) {
                    let validity = epoch.validity
                    for m in machines {
                        let issued = held.contains { $0.targets.contains(m) && !$0.window.intersection(validity).isEmpty }
                        let needed = delegated.contains { $0.targets.contains(m) && !$0.window.intersection(validity).isEmpty }
                        guard issued, !needed else { continue }
                        let span = held.filter { $0.targets.contains(m) }.map { $0.window.intersection(validity) }
                            .filter { !$0.isEmpty }.reduce(validity) { TimeWindow(start: max($0.start, $1.start), end: min($0.end, $1.end)) }
                        open[m] = open[m].map { TimeWindow(start: min($0.start, span.start), end: max($0.end, span.end)) } ?? span
                    }
                }
                guard !open.isEmpty else { continue }
                let name = context.model.users[delegator].name
                let first = open.keys.min()!
                let grant = held.first { $0.targets.contains(first) } ?? held[0]
                let start = open.values.map(\.start).min()!
                let end = open.values.map(\.end).max()!
                let names = open.keys.sorted().prefix(3).map { "`\(vpxi.machines[$0].name)`" }.joined(separator: ", ")
                    + (open.count > 3 ? " and \(open.count - 3) more" : "")
                let notes = delegated.prefix(2).map { Diagnostic.Note("`via \(name)` grant valid \($0.window)", at: $0.range) }
                findings.append(finding(
                    "user `\(name)` may propagate rights on \(names) in vpxi `\(vpxi.name)` between \(TimeWindow.format(start)) and \(TimeWindow.format(end)), when no `via \(name)` grant needs it",
                    at: grant.range, label: "certificates with `propagate`", notes: notes,
                    help: "narrow `\(name)`'s grant on these machines with `during` to the windows of the grants delegated through them, or widen those grants' `during` if they are meant to last"))
            }
        }
        return findings
    }
}
