import Diagnostics
import PolicyLanguage
import SPKI

extension SemanticAnalyzer {
    static func right(_ right: Right) -> PolicyModel.Right {
        PolicyModel.Right(name: right.name.text, arguments: right.arguments.map { arguments in
            arguments.map { argument -> PolicyModel.Right.Argument in
                switch argument {
                case .name(let word): return .name(word.text)
                case .text(let text): return .text(text.value)
                }
            }
        })
    }

    mutating func resolveGrants(_ decl: VPXIDecl, into vpxi: inout PolicyModel.VPXI, scope: MachineScope) {
        for grant in decl.grants {
            let user = resolve(grant.grantee, as: .user, role: "grantee")
            // nil: no `via`; .some(nil): a `via` that does not resolve.
            let via: Int?? = grant.via.map { resolve($0, as: .user, role: "delegating user (`via`)") }
            var targets: [Int]?
            switch grant.target {
            case .all:
                targets = Array(0..<vpxi.machines.count)
            case .nodes(let endpoints):
                var set = Set<Int>()
                var failed = false
                for endpoint in endpoints {
                    if let found = machines(of: endpoint, in: scope, vpxi: decl.name.text, role: "a grant") {
                        set.formUnion(found)
                    } else {
                        failed = true
                    }
                }
                targets = failed ? nil : set.sorted()
            }
            var window = vpxi.window
            if let during = grant.during {
                guard let narrowed = checkedWindow(during, what: "the `during` of this grant") else { continue }
                if !vpxi.window.isEmpty, !vpxi.window.includes(narrowed) {
                    let outside = vpxi.window.intersection(narrowed).isEmpty
                    report(.grantOutsideWindow, outside ? "the grant's `during` lies outside the window of vpxi `\(decl.name.text)`"
                                                        : "the grant's `during` is not inside the window of vpxi `\(decl.name.text)`",
                           at: during.range, label: outside ? "outside the window" : "reaches outside the window",
                           notes: [Diagnostic.Note("the window is \(vpxi.window)", at: decl.properties.first(.window)?.range)],
                           help: "`during` narrows a grant to part of the window; keep it within \(vpxi.window)")
                    continue
                }
                window = narrowed
            }
            guard let user, let targets, via != .some(nil) else { continue }
            let viaIndex = via ?? nil
            if let viaIndex, viaIndex == user {
                report(.delegationCycle, "user `\(grant.grantee.text)` cannot receive a grant via themselves", at: grant.via!.range,
                       label: "delegates to itself", help: "remove `via \(grant.grantee.text)`: the registrar then issues the certificate")
                continue
            }
            let rights = grant.rights.map(Self.right)
            vpxi.grants.append(.init(user: user, via: viaIndex, rights: rights, rightsTag: TagVocabulary.grantTag(rights),
                                     targets: targets, window: window, range: grant.range))
            if viaIndex == nil { checkCommunity(of: user, grant: grant, vpxi: vpxi) }
        }
    }

    /// A user given rights directly by the registrar must belong to a community the vpxi
    /// requires (when it requires one).
    mutating func checkCommunity(of user: Int, grant: GrantDecl, vpxi: PolicyModel.VPXI) {
        let required = vpxi.requirements.trustedBy
        guard !required.isEmpty, Set(required).isDisjoint(with: model.users[user].communities) else { return }
        let names = required.map { model.communities[$0].name }
        let member = model.users[user].communities.map { model.communities[$0].name }
        report(.userNotInCommunity, "user `\(model.users[user].name)` is not a member of \(Self.list(names)), which vpxi `\(vpxi.name)` requires",
               at: grant.grantee.range, label: member.isEmpty ? "member of no community" : "member of \(Self.list(member))",
               notes: [Diagnostic.Note("the user is declared here", at: model.users[user].range)],
               help: "add `member-of \(names[0])` to the user, or have a member delegate the rights: `grant \(model.users[user].name) via \(model.users[vpxi.owner].name) ...`")
    }

    mutating func resolveExpectations(_ decl: VPXIDecl, into vpxi: inout PolicyModel.VPXI, scope: MachineScope) {
        for test in decl.tests {
            for expectation in test.expectations {
                let user = resolve(expectation.user, as: .user, role: "user of an expectation")
                let targets = machines(of: expectation.target, in: scope, vpxi: decl.name.text, role: "an expectation")
                guard let user, let targets else { continue }
                let source = sources[expectation.target.name.range.file]
                vpxi.expectations.append(.init(
                    user: user, allowed: expectation.allowed, right: Self.right(expectation.right), targets: targets,
                    targetText: source.text(expectation.target.range), at: expectation.at?.secondsSinceEpoch, range: expectation.range))
            }
        }
    }

    /// `via` delegations: no cycles, delegating users whose keys can sign, and no
    /// delegation of more than the delegating user holds.
    mutating func checkDelegations(_ vpxi: inout PolicyModel.VPXI) {
        // Cycles: follow each grant's `via` through the grants of the delegating user.
        var delegators: [Int: Set<Int>] = [:]
        for grant in vpxi.grants { if let via = grant.via { delegators[grant.user, default: []].insert(via) } }
        var cyclic = Set<Int>()
        for (index, grant) in vpxi.grants.enumerated() {
            guard let via = grant.via else { continue }
            var seen: Set<Int> = [grant.user]
            var frontier = [via]
            var loops = false
            while let next = frontier.popLast() {
                if seen.contains(next) {
                    if next == grant.user { loops = true }
                    continue
                }
                seen.insert(next)
                frontier += delegators[next] ?? []
            }
            if loops {
                cyclic.insert(index)
                report(.delegationCycle, "the `via` delegations of vpxi `\(vpxi.name)` form a cycle through user `\(model.users[grant.user].name)`",
                       at: grant.range, label: "`\(model.users[grant.user].name)` delegates, through others, back to itself",
                       help: "every delegation chain must start at a user the registrar grants directly; remove one `via`")
            }
        }
        // Keys and coverage.
        var reportedKeys = Set<Int>()
        for (index, grant) in vpxi.grants.enumerated() where !cyclic.contains(index) {
            guard let via = grant.via else { continue }
            let delegator = model.users[via]
            if !delegator.key.canSign {
                if reportedKeys.insert(via).inserted {
                    report(.keyCannotSign, "user `\(delegator.name)` delegates rights but has a key that cannot sign (\(delegator.key.algorithm))",
                           at: grant.range, label: "`\(delegator.name)` must sign this delegation",
                           notes: [Diagnostic.Note("the user is declared here", at: delegator.range)],
                           help: "a delegating user signs the certificate of the user they delegate to: give `\(delegator.name)` an RSA key of at least 2048 bits")
                }
                continue
            }
            checkCoverage(of: grant, in: vpxi)
        }
    }

    /// The rights a delegating user holds on each target, during the whole grant, must
    /// include the rights delegated.
    mutating func checkCoverage(of grant: PolicyModel.Grant, in vpxi: PolicyModel.VPXI) {
        guard let via = grant.via else { return }
        let held = vpxi.grants.filter { $0.user == via && $0.window.includes(grant.window) }
        for target in grant.targets {
            let tags = held.filter { $0.targets.contains(target) }.map(\.rightsTag)
            let union = Tag.set(tags).normalized
            guard !union.includes(grant.rightsTag) else { continue }
            let machine = vpxi.machines[target].name
            let delegator = model.users[via].name
            let reason = tags.isEmpty
                ? "`\(delegator)` holds no grant on `\(machine)`" + (vpxi.grants.contains { $0.user == via && $0.targets.contains(target) } ? " for the whole of this grant's window" : "")
                : "`\(delegator)` holds only `\(union)` on `\(machine)`"
            report(.delegationBeyondGrant, "user `\(model.users[grant.user].name)` is given `\(grant.rightsTag)` via `\(delegator)`, but \(reason)",
                   at: grant.range, label: "delegates more than `\(delegator)` holds",
                   help: "a user can only delegate what they are granted: grant `\(delegator)` these rights on `\(machine)` first, or narrow this grant")
            return
        }
    }
}
