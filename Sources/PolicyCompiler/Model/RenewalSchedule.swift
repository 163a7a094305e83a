/// The renewal epochs of a vpxi's window.
///
/// Epoch k starts at `window.start + k × renewal`, for every start before the end of the
/// window. Its certificates are valid from its start for `lifetime`, cut at the end of the
/// window; so when the lifetime exceeds the renewal period, consecutive epochs overlap and
/// a lost renewal is survived.
public struct RenewalSchedule: Sendable, Hashable {
    /// One renewal epoch.
    public struct Epoch: Sendable, Hashable {
        public var index: Int
        /// When the epoch's certificates are issued and become valid.
        public var start: Int64
        /// When the next epoch starts (its certificates take over).
        public var renewalEnd: Int64
        /// The validity of its certificates: `start ... start + lifetime`, cut at the end
        /// of the window.
        public var validity: TimeWindow
    }

    public let window: TimeWindow
    public let lifetime: Int64
    public let renewal: Int64

    public init(window: TimeWindow, lifetime: Int64, renewal: Int64) {
        self.window = window
        self.lifetime = max(1, lifetime)
        self.renewal = max(1, renewal)
    }

    /// The number of epochs.
    public var count: Int {
        guard !window.isEmpty else { return 0 }
        return Int((window.duration - 1) / renewal) + 1
    }

    public func epoch(_ index: Int) -> Epoch {
        let start = window.start + Int64(index) * renewal
        return Epoch(index: index, start: start, renewalEnd: min(start + renewal, window.end),
                     validity: TimeWindow(start: start, end: min(start + lifetime, window.end)))
    }

    /// Every epoch, in order.
    public var epochs: [Epoch] { (0..<count).map(epoch) }

    /// The epoch in force at `time`: the last one started at or before it (the first one
    /// before the window, the last one after it); nil when the window is empty.
    public func epoch(at time: Int64) -> Epoch? {
        guard count > 0 else { return nil }
        if time <= window.start { return epoch(0) }
        return epoch(min(count - 1, Int((time - window.start) / renewal)))
    }
}
