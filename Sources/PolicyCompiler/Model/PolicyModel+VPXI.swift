import Diagnostics

extension PolicyModel {
    /// A requested virtual private execution infrastructure, resolved.
    public struct VPXI: Sendable {
        public var name: String
        /// Index into `users`.
        public var owner: Int
        /// Index into `registrars`: the registrar that builds it and issues its users'
        /// certificates.
        public var registrar: Int
        public var window: TimeWindow
        /// Certificate lifetime and renewal period, in seconds.
        public var lifetime: Int64
        public var renewal: Int64
        public var requirements: Requirements
        public var confidentiality: Level?
        /// The ceiling of the sum of its machines' costs, units per hour.
        public var maxCostPerHour: Double?
        /// Where `max-cost` is written, for messages.
        public var maxCostRange: SourceRange?
        /// Nodes and cluster members, in declaration order (`worker[1]` ... `worker[32]`).
        public var machines: [Machine]
        /// Links between machines, expanded (a cluster end stands for each member).
        public var links: [Link]
        public var grants: [Grant]
        public var expectations: [Expectation]
        public var range: SourceRange
        /// The range of the name, for messages.
        public var nameRange: SourceRange

        /// The renewal epochs of the window: epoch k starts at `window.start + k × renewal`
        /// and its certificates are valid for `lifetime` from there (never past the end of
        /// the window), so consecutive epochs overlap by `lifetime - renewal`.
        public var schedule: RenewalSchedule {
            RenewalSchedule(window: window, lifetime: lifetime, renewal: renewal)
        }

        /// The index of the machine named `name` (`files`, `worker[3]`).
        public func machine(named name: String) -> Int? { machines.firstIndex { $0.name == name } }
    }

    /// Placement constraints: on a vpxi (every machine) or on one machine.
    public struct Requirements: Sendable, Hashable {
        /// Indices into `communities`: the host must be trusted by every one.
        public var trustedBy: [Int] = []
        /// The host's hypervisor must be one of these (empty: any).
        public var hypervisors: Set<Hypervisor> = []
        /// The host must be at one of these sites (empty: any).
        public var sites: Set<String> = []

        public init(trustedBy: [Int] = [], hypervisors: Set<Hypervisor> = [], sites: Set<String> = []) {
            self.trustedBy = trustedBy
            self.hypervisors = hypervisors
            self.sites = sites
        }

        /// Both sets of constraints at once.
        public func merged(with other: Requirements) -> Requirements {
            var merged = self
            for community in other.trustedBy where !merged.trustedBy.contains(community) { merged.trustedBy.append(community) }
            merged.hypervisors = hypervisors.isEmpty ? other.hypervisors
                : (other.hypervisors.isEmpty ? hypervisors : hypervisors.intersection(other.hypervisors))
            merged.sites = sites.isEmpty ? other.sites : (other.sites.isEmpty ? sites : sites.intersection(other.sites))
            return merged
        }
    }

    /// A virtual machine: a node, or one member of a cluster.
    public struct Machine: Sendable {
        /// `files`, or `worker[3]` for a cluster member.
        public var name: String
        /// The node or cluster it comes from (`worker`).
        public var group: String
        /// The member's index for a cluster member.
        public var index: Int?
        public var function: MachineFunction?
        public var cpus: Int
        public var memoryBytes: Int64
        public var diskBytes: Int64
        public var image: String?
        /// Its own constraints merged with the vpxi's (a `hypervisor` or `site` property
        /// is a constraint too).
        public var requirements: Requirements
        /// The node or cluster declaration.
        public var range: SourceRange

        /// Defaults for what a machine does not say: one cpu, 512 MiB, no disk.
        public static let defaultCPUs = 1
        public static let defaultMemoryBytes: Int64 = 512 << 20
    }

    /// An edge of the virtual topology between two machines.
    public struct Link: Sendable, Hashable {
        /// Indices into `machines`.
        public var from: Int
        public var to: Int
        /// `<->` (true) or `->`.
        public var bidirectional: Bool
        /// A lower bound, bits per second.
        public var bandwidthBitsPerSecond: Double?
        /// An upper bound, milliseconds.
        public var latencyMilliseconds: Double?
        public var protection: Protection?
        /// The declaration.
        public var range: SourceRange
    }
}
