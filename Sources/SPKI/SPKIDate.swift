/// A point in time, to the second, in UTC: what SPKI writes `YYYY-MM-DD_HH:MM:SS`.
///
/// Years 0000 to 9999; days are checked against the calendar (leap years included, so
/// `1900-02-29` is refused and `2000-02-29` accepted). Ordered by time.
public struct SPKIDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since 1970-01-01_00:00:00 UTC (negative before).
    public let secondsSinceEpoch: Int64

    public init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    /// A date from calendar fields, or `nil` when a field is out of range.
    public init?(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        guard (0...9999).contains(year), (1...12).contains(month),
              (1...Self.daysIn(month: month, year: year)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        secondsSinceEpoch = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    public static func < (lhs: SPKIDate, rhs: SPKIDate) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }

    /// The calendar fields: year, month, day, hour, minute, second.
    public var fields: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
        let rest = Int(secondsSinceEpoch - days * 86_400)
        let (y, m, d) = Self.civilFromDays(days)
        return (y, m, d, rest / 3600, rest / 60 % 60, rest % 60)
    }

    /// `YYYY-MM-DD_HH:MM:SS`.
    public var description: String {
        let f = fields
        return "\(Self.pad(f.year, 4))-\(Self.pad(f.month, 2))-\(Self.pad(f.day, 2))_\(Self.pad(f.hour, 2)):\(Self.pad(f.minute, 2)):\(Self.pad(f.second, 2))"
    }

    /// RFC 3339 in UTC: `YYYY-MM-DDTHH:MM:SSZ`.
    public var rfc3339: String {
        var text = description
        text = text.replacingFirst("_", with: "T")
        return text + "Z"
    }

    // MARK: Parsing

    /// A date parsed from the SPKI form, and whether it was a truncated prefix.
    public struct Parsed: Sendable, Hashable {
        public let date: SPKIDate
        /// The input was a prefix such as `2000` or `2000-05-05_17:20`; the missing fields
        /// were taken as their smallest values (January, the 1st, 00:00:00).
        public let wasTruncated: Bool
    }

    /// The lengths of the accepted prefixes of `YYYY-MM-DD_HH:MM:SS`.
    static let prefixLengths = [4, 7, 10, 13, 16, 19]

    /// Parses `YYYY-MM-DD_HH:MM:SS` or one of its prefixes (`2000`, `2000-05`,
    /// `2000-05-05`, `2000-05-05_17`, `2000-05-05_17:20`).
    public static func parse(spki bytes: some Collection<UInt8>) throws(SPKIError) -> Parsed {
        let chars = Array(bytes)
        let text = String(decoding: chars, as: UTF8.self)
        let shape = "dates are `YYYY-MM-DD_HH:MM:SS` in UTC, for example `2026-12-02_10:00:00`"
        guard prefixLengths.contains(chars.count) else {
            throw SPKIError(.badDate, "`\(text)` is not a date", help: shape)
        }
        let separators: [Int: UInt8] = [4: UInt8(ascii: "-"), 7: UInt8(ascii: "-"), 10: UInt8(ascii: "_"),
                                         13: UInt8(ascii: ":"), 16: UInt8(ascii: ":")]
        for (index, separator) in separators where index < chars.count && chars[index] != separator {
            throw SPKIError(.badDate, "`\(text)` is not a date: expected `\(Character(Unicode.Scalar(separator)))` at position \(index + 1)", help: shape)
        }
        func number(_ start: Int, _ length: Int, default value: Int) throws(SPKIError) -> Int {
            guard start < chars.count else { return value }
            var result = 0
            for c in chars[start..<start + length] {
                guard c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") else {
                    throw SPKIError(.badDate, "`\(text)` is not a date: `\(Character(Unicode.Scalar(c)))` where a digit belongs", help: shape)
                }
                result = result * 10 + Int(c - UInt8(ascii: "0"))
            }
            return result
        }
        let year = try number(0, 4, default: 0), month = try number(5, 2, default: 1), day = try number(8, 2, default: 1)
        let hour = try number(11, 2, default: 0), minute = try number(14, 2, default: 0), second = try number(17, 2, default: 0)
        guard let date = SPKIDate(year: year, month: month, day: day, hour: hour, minute: minute, second: second) else {
            throw SPKIError(.badDate, "`\(text)` is not a calendar date: \(Self.fieldProblem(year, month, day, hour, minute, second))", help: shape)
        }
        return Parsed(date: date, wasTruncated: chars.count < 19)
    }

    /// Parses a date given on a command line: the SPKI form (prefixes allowed) or RFC 3339
    /// (`2026-12-02T10:00:00Z`, `2026-12-02T11:00:00+01:00`, fractions of a second dropped).
    public static func parse(commandLine text: String) throws(SPKIError) -> Parsed {
        let chars = Array(text.utf8)
        if chars.count > 10 && (chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: "t")) {
            return Parsed(date: try parse(rfc3339: text), wasTruncated: false)
        }
        return try parse(spki: Array(text.utf8))
    }

    /// Parses an RFC 3339 date-time.
    public static func parse(rfc3339 text: String) throws(SPKIError) -> SPKIDate {
        let chars = Array(text.utf8)
        let shape = "RFC 3339 times look like `2026-12-02T10:00:00Z` or `2026-12-02T11:00:00+01:00`"
        let bad = SPKIError(.badDate, "`\(text)` is not an RFC 3339 date-time", help: shape)
        guard chars.count >= 20, chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: "t") else { throw bad }
        var spkiForm = chars[0..<19].map { $0 }
        spkiForm[10] = UInt8(ascii: "_")
        let base: SPKIDate
        do {
            base = try parse(spki: spkiForm).date
        } catch {
            throw SPKIError(.badDate, "`\(text)` is not a valid date-time: \(error.message)", help: shape)
        }
        var index = 19
        if chars[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < chars.count, chars[index] >= UInt8(ascii: "0"), chars[index] <= UInt8(ascii: "9") { index += 1 }
            guard index > start else { throw bad }
        }
        guard index < chars.count else { throw bad }
        var offset = 0
        switch chars[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == chars.count else { throw bad }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let zone = Array(chars[(index + 1)...])
            guard zone.count == 5, zone[2] == UInt8(ascii: ":"),
                  let hours = Int(String(decoding: zone[0..<2], as: UTF8.self)),
                  let minutes = Int(String(decoding: zone[3..<5], as: UTF8.self)),
                  zone[0..<2].allSatisfy({ $0 >= 48 && $0 <= 57 }), zone[3..<5].allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  hours <= 23, minutes <= 59 else { throw bad }
            offset = (hours * 3600 + minutes * 60) * (chars[index] == UInt8(ascii: "+") ? 1 : -1)
        default:
            throw bad
        }
        let date = SPKIDate(secondsSinceEpoch: base.secondsSinceEpoch - Int64(offset))
        guard (0...9999).contains(date.fields.year) else {
            throw SPKIError(.badDate, "`\(text)` is outside the years 0000 to 9999 in UTC", help: shape)
        }
        return date
    }

    // MARK: Calendar

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d))
    }

    static func fieldProblem(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int) -> String {
        if !(1...12).contains(month) { return "there is no month \(month)" }
        if !(1...daysIn(month: month, year: year)).contains(day) {
            return "month \(pad(month, 2)) of \(pad(year, 4)) has \(daysIn(month: month, year: year)) days, not \(day)"
        }
        if hour > 23 { return "the hour is \(hour), hours run from 00 to 23" }
        if minute > 59 { return "the minute is \(minute), minutes run from 00 to 59" }
        return "the second is \(second), seconds run from 00 to 59"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

extension String {
    fileprivate func replacingFirst(_ target: Character, with replacement: Character) -> String {
        guard let index = firstIndex(of: target) else { return self }
        var copy = self
        copy.replaceSubrange(index...index, with: String(replacement))
        return copy
    }
}
