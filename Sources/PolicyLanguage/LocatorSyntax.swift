/// Checks locators: IPv4 dotted quads and IPv6 addresses, whose last part may be
/// a template `{index}`, `{N+index}` or `{index+N}`.
enum LocatorSyntax {
    struct Problem: Error {
        let reason: String
        let isTemplate: Bool
    }

    /// The address family and the template offset (nil without a template).
    static func check(_ word: [UInt8]) -> Result<(Locator.Family, Int?), Problem> {
        var parts: [ArraySlice<UInt8>] = []
        var templateOffset: Int?
        // Split off a template, which must be the last part.
        var body = word[...]
        if let open = word.firstIndex(of: UInt8(ascii: "{")) {
            guard let close = word.lastIndex(of: UInt8(ascii: "}")), close == word.count - 1, close > open else {
                return .failure(Problem(reason: "a template must end the address", isTemplate: true))
            }
            switch templateValue(word[(open + 1)..<close]) {
            case .success(let offset): templateOffset = offset
            case .failure(let problem): return .failure(problem)
            }
            body = word[..<open]
        }
        let isIPv6 = word.contains(UInt8(ascii: ":"))
        if isIPv6 {
            guard checkIPv6(body, templated: templateOffset != nil) else {
                return .failure(Problem(reason: "malformed IPv6 address", isTemplate: false))
            }
            return .success((.ipv6, templateOffset))
        }
        parts = body.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        if templateOffset != nil {
            guard parts.last?.isEmpty == true else {
                return .failure(Problem(reason: "a template must be a whole part of the address", isTemplate: true))
            }
            parts.removeLast()
        }
        guard parts.count == (templateOffset == nil ? 4 : 3) else {
            return .failure(Problem(reason: "an IPv4 address has four parts", isTemplate: false))
        }
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }),
                  let value = Int(String(decoding: part, as: UTF8.self)), value <= 255 else {
                return .failure(Problem(reason: "each part is a number from 0 to 255", isTemplate: false))
            }
        }
        return .success((.ipv4, templateOffset))
    }

    private static func templateValue(_ inside: ArraySlice<UInt8>) -> Result<Int, Problem> {
        let text = String(decoding: inside.filter { $0 != 0x20 && $0 != 0x09 }, as: UTF8.self)
        if text == "index" { return .success(0) }
        let pieces = text.split(separator: "+", omittingEmptySubsequences: false)
        if pieces.count == 2 {
            if pieces[1] == "index", let value = Int(pieces[0]), value >= 0, value < 1 << 32 { return .success(value) }
            if pieces[0] == "index", let value = Int(pieces[1]), value >= 0, value < 1 << 32 { return .success(value) }
        }
        return .failure(Problem(reason: "`{\(text)}` is not `{index}`, `{N+index}` or `{index+N}`", isTemplate: true))
    }

    private static func checkIPv6(_ body: ArraySlice<UInt8>, templated: Bool) -> Bool {
        let bytes = Array(body)
        let colon = UInt8(ascii: ":")
        var doubleColon: Int?
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == colon, bytes[index + 1] == colon {
                if doubleColon != nil { return false }
                doubleColon = index
                index += 2
            } else {
                index += 1
            }
        }
        func groups(_ part: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
            part.isEmpty ? [] : part.split(separator: colon, omittingEmptySubsequences: false)
        }
        var head: [ArraySlice<UInt8>]
        var tail: [ArraySlice<UInt8>] = []
        if let doubleColon {
            head = groups(bytes[..<doubleColon])
            tail = groups(bytes[(doubleColon + 2)...])
        } else {
            head = groups(bytes[...])
        }
        if templated {
            // The template stands for the last group: the text before it ends with `:`.
            if let doubleColon, doubleColon + 2 == bytes.count {
                // `2001:db8::{index}`: the template follows `::`.
            } else if doubleColon != nil {
                guard tail.last?.isEmpty == true else { return false }
                tail.removeLast()
            } else {
                guard head.last?.isEmpty == true else { return false }
                head.removeLast()
            }
        }
        let all = head + tail
        guard all.allSatisfy({ group in
            !group.isEmpty && group.count <= 4 && group.allSatisfy { Character(Unicode.Scalar($0)).isHexDigit }
        }) else { return false }
        let count = all.count + (templated ? 1 : 0)
        return doubleColon != nil ? count <= 7 : count == 8
    }
}
