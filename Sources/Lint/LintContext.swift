import Diagnostics
import PolicyCompiler
import PolicyLanguage

/// What the rules read about one policy (a file given on the command line and the files
/// it includes): its syntax trees, its resolved model, its placement (nil when placement
/// failed), the key store when one was given, the time of linting and the options.
public struct LintContext: Sendable {
    public let sources: SourceManager
    /// The files of the policy: the root first, then its includes.
    public let files: [PolicyLoader.LoadedFile]
    public let model: PolicyModel
    public let placement: Placement?
    public let keyStore: KeyStoreSurvey?
    /// Seconds since the epoch: "now" for expiry rules.
    public let time: Int64
    public let options: LintOptions

    public init(sources: SourceManager, files: [PolicyLoader.LoadedFile], model: PolicyModel, placement: Placement?,
                keyStore: KeyStoreSurvey?, time: Int64, options: LintOptions) {
        self.sources = sources
        self.files = files
        self.model = model
        self.placement = placement
        self.keyStore = keyStore
        self.time = time
        self.options = options
    }

    /// Every vpxi declaration of the policy, by name.
    public func vpxiDecl(named name: String) -> VPXIDecl? {
        for file in files { if let decl = file.policy.vpxis.first(where: { $0.name.text == name }) { return decl } }
        return nil
    }

    /// The host declaration (of the whole range) that declares `host`.
    public func hostDecl(of host: PolicyModel.Host) -> HostDecl? {
        for file in files { if let decl = file.policy.hosts.first(where: { $0.name.range == host.range }) { return decl } }
        return nil
    }

    public func userDecl(named name: String) -> UserDecl? {
        for file in files { if let decl = file.policy.users.first(where: { $0.name.text == name }) { return decl } }
        return nil
    }

    public func communityDecl(named name: String) -> CommunityDecl? {
        for file in files { if let decl = file.policy.communities.first(where: { $0.name.text == name }) { return decl } }
        return nil
    }

    public func registrarDecl(named name: String) -> RegistrarDecl? {
        for file in files { if let decl = file.policy.registrars.first(where: { $0.name.text == name }) { return decl } }
        return nil
    }

    /// The grant declaration of a resolved grant.
    public func grantDecl(_ grant: PolicyModel.Grant, in vpxi: PolicyModel.VPXI) -> GrantDecl? {
        vpxiDecl(named: vpxi.name)?.grants.first { $0.range == grant.range }
    }

    /// The hosts of a vpxi's machines, when placed (unplaced machines are left out).
    public func hosts(ofVPXI v: Int) -> [Int] {
        guard let placement, v < placement.hosts.count else { return [] }
        return placement.hosts[v].filter { $0 != Placement.unplaced }
    }

    /// The host machine `m` of vpxi `v` runs on, when placed.
    public func host(vpxi v: Int, machine m: Int) -> Int? {
        guard let placement, v < placement.hosts.count, m < placement.hosts[v].count else { return nil }
        let host = placement.hosts[v][m]
        return host == Placement.unplaced ? nil : host
    }

    /// `file:line:col` of a range, for notes.
    public func describe(_ range: SourceRange) -> String { sources.describe(range) }

    /// A comma-separated list of names in backticks.
    static func list(_ names: [String]) -> String { names.map { "`\($0)`" }.joined(separator: ", ") }
}
