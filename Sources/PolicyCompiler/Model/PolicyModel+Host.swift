import Diagnostics

extension PolicyModel {
    /// A physical machine of the pool (one member of a declared range).
    public struct Host: Sendable {
        /// The registration of a host with a registrar, bounded or not in time.
        public struct Registration: Sendable, Hashable {
            /// Index into `registrars`.
            public var registrar: Int
            /// Seconds since the epoch; `nil` when open.
            public var from: Int64?
            public var until: Int64?

            /// Whether the registration holds for the whole of `window`.
            public func covers(_ window: TimeWindow) -> Bool {
                (from.map { $0 <= window.start } ?? true) && (until.map { $0 >= window.end } ?? true)
            }
        }

        public var name: String
        /// The index in its range (`capricorne-[01..35]`), the value of locator templates.
        public var index: Int?
        /// Addresses, templates expanded, in the order written.
        public var locators: [String]
        public var cpus: Int
        public var memoryBytes: Int64
        public var diskBytes: Int64
        public var hypervisor: Hypervisor?
        public var registration: Registration?
        /// Indices into `communities`.
        public var trustedBy: [Int]
        public var site: String?
        /// Network capacity, bits per second; `nil` when not declared (then unchecked).
        public var bandwidthBitsPerSecond: Double?
        /// What one virtual machine on it costs, units per hour (0 when not declared).
        public var costPerHour: Double
        /// The declaration (of the whole range).
        public var range: SourceRange
    }
}
