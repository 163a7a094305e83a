/// Checks and converts RFC 3339 date-times. Seconds may be left out
/// (`2026-12-01T08:00Z`), and a date alone means midnight UTC.
enum DateTimeSyntax {
    struct Problem: Error {
        let reason: String
    }

    /// Seconds since the epoch and the UTC offset in minutes.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<(Int64, Int16), Problem> {
        var cursor = 0
        func digits(_ count: Int) -> Int? {
            guard cursor + count <= bytes.count else { return nil }
            var value = 0
            for index in cursor..<(cursor + count) {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + Int(digit)
            }
            cursor += count
            return value
        }
        func take(_ byte: UInt8) -> Bool {
            guard cursor < bytes.count, bytes[cursor] == byte else { return false }
            cursor += 1
            return true
        }
        guard let year = digits(4), take(UInt8(ascii: "-")), let month = digits(2), take(UInt8(ascii: "-")),
              let day = digits(2) else {
            return .failure(Problem(reason: "expected `YYYY-MM-DD`"))
        }
        guard (1...12).contains(month) else { return .failure(Problem(reason: "month must be 01 to 12")) }
        guard (1...daysIn(month: month, year: year)).contains(day) else {
            return .failure(Problem(reason: "day \(day) does not exist in \(year)-\(month < 10 ? "0" : "")\(month)"))
        }
        var seconds = Int64(daysFromCivil(year: year, month: month, day: day)) * 86_400
        if cursor == bytes.count { return .success((seconds, 0)) }
        guard take(UInt8(ascii: "T")) || take(UInt8(ascii: "t")) else {
            return .failure(Problem(reason: "expected `T` between the date and the time"))
        }
        guard let hour = digits(2), take(UInt8(ascii: ":")), let minute = digits(2) else {
            return .failure(Problem(reason: "expected `hh:mm` after `T`"))
        }
        var second = 0
        if take(UInt8(ascii: ":")) {
            guard let value = digits(2) else { return .failure(Problem(reason: "expected two digits of seconds")) }
            second = value
            if take(UInt8(ascii: ".")) {
                let fractionStart = cursor
                while cursor < bytes.count, bytes[cursor] &- UInt8(ascii: "0") < 10 { cursor += 1 }
                guard cursor > fractionStart else { return .failure(Problem(reason: "expected digits after `.`")) }
            }
        }
        guard hour < 24, minute < 60, second < 61 else {
            return .failure(Problem(reason: "time of day out of range"))
        }
        seconds += Int64(hour * 3600 + minute * 60 + min(second, 59))
        var offset = 0
        if take(UInt8(ascii: "Z")) || take(UInt8(ascii: "z")) {
            offset = 0
        } else if cursor < bytes.count, bytes[cursor] == UInt8(ascii: "+") || bytes[cursor] == UInt8(ascii: "-") {
            let sign = bytes[cursor] == UInt8(ascii: "-") ? -1 : 1
            cursor += 1
            guard let offsetHours = digits(2), take(UInt8(ascii: ":")), let offsetMinutes = digits(2),
                  offsetHours < 24, offsetMinutes < 60 else {
                return .failure(Problem(reason: "expected a UTC offset `+hh:mm`"))
            }
            offset = sign * (offsetHours * 60 + offsetMinutes)
        } else {
            return .failure(Problem(reason: "expected `Z` or a UTC offset such as `+01:00` after the time"))
        }
        guard cursor == bytes.count else {
            return .failure(Problem(reason: "unexpected text after the date-time"))
        }
        return .success((seconds - Int64(offset * 60), Int16(offset)))
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
