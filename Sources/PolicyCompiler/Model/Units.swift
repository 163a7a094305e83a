/// Quantities printed as the policy language writes them.
public enum Units {
    /// `512 MiB`, `8 GiB`, `1.5 TiB`.
    public static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while unit < units.count - 1, value >= 1024, value.truncatingRemainder(dividingBy: 1024) == 0 || value >= 1024 * 1024 {
            value /= 1024
            unit += 1
        }
        return "\(number(value)) \(units[unit])"
    }

    /// `100 Mbps`, `1 Gbps`.
    public static func rate(_ bitsPerSecond: Double) -> String {
        let units = ["bps", "Kbps", "Mbps", "Gbps", "Tbps"]
        var value = bitsPerSecond
        var unit = 0
        while unit < units.count - 1, value >= 1000 {
            value /= 1000
            unit += 1
        }
        return "\(number(value)) \(units[unit])"
    }

    /// `40 units/hour`.
    public static func cost(_ perHour: Double) -> String { "\(number(perHour)) units/hour" }

    /// A number with at most 2 decimals, without trailing zeros.
    public static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        if rounded == rounded.rounded() { return String(Int64(rounded)) }
        var text = String(rounded)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
