import SPKI

extension BundlePlan {
    /// A virtual private execution infrastructure: its window and its renewal epochs.
    public struct VPXI: Sendable {
        public var name: String
        public var windowStart: SPKIDate
        public var windowEnd: SPKIDate
        /// The renewal epochs, in order, covering the window without gaps: ESP keys change
        /// at each epoch, when the certificates are renewed. `Epoch.renewals` makes them.
        public var epochs: [Epoch]
        /// The host bridge the VMs' overlay interfaces attach to (at most 15 characters);
        /// by default `vx-` and 10 hex digits of the SHA-256 of the VPXI name.
        public var overlayBridge: String?

        public init(name: String, windowStart: SPKIDate, windowEnd: SPKIDate, epochs: [Epoch], overlayBridge: String? = nil) {
            self.name = name
            self.windowStart = windowStart
            self.windowEnd = windowEnd
            self.epochs = epochs
            self.overlayBridge = overlayBridge
        }
    }

    /// One renewal epoch: keys are used from `start` to `end` (the next renewal), and stay
    /// acceptable until `expires` (the end of the certificates issued at `start`), which
    /// gives the overlap that lets both ends switch without losing packets.
    public struct Epoch: Hashable, Sendable {
        /// 0 for the epoch that starts the window.
        public var index: Int
        public var start: SPKIDate
        public var end: SPKIDate
        public var expires: SPKIDate

        public init(index: Int, start: SPKIDate, end: SPKIDate, expires: SPKIDate) {
            self.index = index
            self.start = start
            self.end = end
            self.expires = expires
        }

        /// The epochs of a window renewed every `period` seconds with certificates valid
        /// for `lifetime` seconds (`certificates valid 36h renew every 12h`): epoch k starts
        /// at `start + k·period`; the last one ends at the window's end; none expires after
        /// it.
        public static func renewals(windowStart: SPKIDate, windowEnd: SPKIDate, period: Int64, lifetime: Int64) -> [Epoch] {
            guard period > 0, windowEnd > windowStart else { return [] }
            var epochs: [Epoch] = []
            var begin = windowStart.secondsSinceEpoch
            let last = windowEnd.secondsSinceEpoch
            while begin < last {
                let end = min(begin + period, last)
                let expires = min(max(begin + lifetime, end), last)
                epochs.append(Epoch(index: epochs.count, start: SPKIDate(secondsSinceEpoch: begin),
                                    end: SPKIDate(secondsSinceEpoch: end), expires: SPKIDate(secondsSinceEpoch: expires)))
                begin = end
            }
            return epochs
        }
    }
}
