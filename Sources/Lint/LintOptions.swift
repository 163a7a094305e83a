/// The thresholds of the configurable rules (the `[options]` table of the configuration).
public struct LintOptions: Sendable, Hashable {
    /// `lifetime-too-long`: the longest certificate lifetime accepted, in seconds.
    public var maxLifetime: Int64 = 72 * 3600
    /// `renewal-margin`: the lifetime must be at least this many renewal periods.
    public var renewalFactor: Double = 2
    /// `expiring-soon`: how far ahead of the time of linting to warn, in seconds.
    public var expiryHorizon: Int64 = 30 * 86_400
    /// `pool-share`: the largest share of the pool's processors one vpxi may take.
    public var maxPoolShare: Double = 0.5

    public init() {}
}
