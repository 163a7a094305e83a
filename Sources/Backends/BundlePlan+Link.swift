import SPKI

extension BundlePlan {
    /// A link of the virtual topology between two VMs of one VPXI: an ESP security
    /// association in each direction, per epoch, between the VMs' HITs.
    public struct Link: Sendable {
        public var a: String
        public var b: String
        /// The ESP suite; `nil` for `protect none` (the peers still know each other, but no
        /// SA is made).
        public var suite: ESPSuite?
        /// Declared bandwidth, bits per second (recorded for the agent; not enforced here).
        public var bandwidthBitsPerSecond: UInt64?
        /// Declared latency bound, microseconds (recorded for the agent).
        public var latencyMicroseconds: UInt64?
        /// When the link's authorization starts and ends, if narrower than the VPXI window:
        /// epochs outside it get no SA, and the SAs of the epochs it cuts end with it.
        public var notBefore: SPKIDate?
        public var notAfter: SPKIDate?

        public init(_ a: String, _ b: String, suite: ESPSuite? = .aes128GCM, bandwidthBitsPerSecond: UInt64? = nil,
                    latencyMicroseconds: UInt64? = nil, notBefore: SPKIDate? = nil, notAfter: SPKIDate? = nil) {
            self.a = a
            self.b = b
            self.suite = suite
            self.bandwidthBitsPerSecond = bandwidthBitsPerSecond
            self.latencyMicroseconds = latencyMicroseconds
            self.notBefore = notBefore
            self.notAfter = notAfter
        }
    }
}
