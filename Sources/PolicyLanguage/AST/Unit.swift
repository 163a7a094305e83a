/// The units of quantities: sizes, rates, times and costs.
public enum Unit: UInt8, Sendable, CaseIterable {
    case bytes, kibibytes, mebibytes, gibibytes, tebibytes
    case bitsPerSecond, kilobitsPerSecond, megabitsPerSecond, gigabitsPerSecond, terabitsPerSecond
    case milliseconds, seconds, minutes, hours, days, weeks
    case unitsPerHour, unitsPerDay

    /// What a unit measures.
    public enum Dimension: String, Sendable {
        case size, rate, time, cost

        /// The units of this dimension, as written, for messages.
        public var spellings: String {
            Unit.allCases.filter { $0.dimension == self }.map(\.spelling).joined(separator: ", ")
        }
    }

    public var spelling: String {
        switch self {
        case .bytes: return "B"
        case .kibibytes: return "KiB"
        case .mebibytes: return "MiB"
        case .gibibytes: return "GiB"
        case .tebibytes: return "TiB"
        case .bitsPerSecond: return "bps"
        case .kilobitsPerSecond: return "Kbps"
        case .megabitsPerSecond: return "Mbps"
        case .gigabitsPerSecond: return "Gbps"
        case .terabitsPerSecond: return "Tbps"
        case .milliseconds: return "ms"
        case .seconds: return "s"
        case .minutes: return "min"
        case .hours: return "h"
        case .days: return "d"
        case .weeks: return "w"
        case .unitsPerHour: return "units/hour"
        case .unitsPerDay: return "units/day"
        }
    }

    public var dimension: Dimension {
        switch self {
        case .bytes, .kibibytes, .mebibytes, .gibibytes, .tebibytes: return .size
        case .bitsPerSecond, .kilobitsPerSecond, .megabitsPerSecond, .gigabitsPerSecond, .terabitsPerSecond: return .rate
        case .milliseconds, .seconds, .minutes, .hours, .days, .weeks: return .time
        case .unitsPerHour, .unitsPerDay: return .cost
        }
    }

    /// How many base units (bytes, bits/s, milliseconds, units per hour) one of
    /// this unit is.
    public var factor: Double {
        switch self {
        case .bytes: return 1
        case .kibibytes: return 1024
        case .mebibytes: return 1024 * 1024
        case .gibibytes: return 1024 * 1024 * 1024
        case .tebibytes: return 1024 * 1024 * 1024 * 1024
        case .bitsPerSecond: return 1
        case .kilobitsPerSecond: return 1e3
        case .megabitsPerSecond: return 1e6
        case .gigabitsPerSecond: return 1e9
        case .terabitsPerSecond: return 1e12
        case .milliseconds: return 1
        case .seconds: return 1000
        case .minutes: return 60_000
        case .hours: return 3_600_000
        case .days: return 86_400_000
        case .weeks: return 604_800_000
        case .unitsPerHour: return 1
        case .unitsPerDay: return 1.0 / 24
        }
    }

    /// Whether the formatter writes the unit against its number (`36h`) rather
    /// than after a space (`8 GiB`).
    public var isAttached: Bool { dimension == .time }

    /// The unit spelled `text` (a compound `units/hour` is given whole).
    public static func named(_ text: String) -> Unit? {
        allCases.first { $0.spelling == text }
    }

    /// The unit that `text` most likely means, when it is another common way to write
    /// one (`Gbit`, `Mb` for megabits, `MB` for megabytes, `hours`): for "did you mean".
    public static func commonSpelling(_ text: String) -> Unit? {
        let lowered = text.lowercased()
        let prefixes: [(String, Unit, Unit)] = [
            ("", .bitsPerSecond, .bytes), ("k", .kilobitsPerSecond, .kibibytes), ("m", .megabitsPerSecond, .mebibytes),
            ("g", .gigabitsPerSecond, .gibibytes), ("t", .terabitsPerSecond, .tebibytes),
        ]
        for (prefix, rate, size) in prefixes where lowered.hasPrefix(prefix) {
            let rest = String(text.dropFirst(prefix.count))
            if ["bit", "bits", "bit/s", "bits/s", "b/s", "bps"].contains(rest.lowercased()) || (!prefix.isEmpty && rest == "b") { return rate }
            if ["byte", "bytes"].contains(rest.lowercased()) || (!prefix.isEmpty && rest == "B") { return size }
        }
        switch lowered {
        case "byte", "bytes": return .bytes
        case "msec", "millisecond", "milliseconds": return .milliseconds
        case "sec", "secs", "second", "seconds": return .seconds
        case "m", "mins", "minute", "minutes": return .minutes
        case "hr", "hrs", "hour", "hours": return .hours
        case "day", "days": return .days
        case "wk", "week", "weeks": return .weeks
        default: return nil
        }
    }
}
