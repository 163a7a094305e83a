import SExpr

/// RFC 7468 textual encoding ("PEM"): `-----BEGIN LABEL-----`, base64 lines,
/// `-----END LABEL-----`. Parsing reports each problem precisely (truncation, labels,
/// base64 with its line), since key files are edited and pasted by hand.
public struct PEMArmor: Sendable, Equatable {
    /// The label, such as `RSA PRIVATE KEY`.
    public var label: String
    /// The decoded body.
    public var bytes: [UInt8]

    public init(label: String, bytes: [UInt8]) {
        self.label = label
        self.bytes = bytes
    }

    /// Whether `bytes` starts (after blank space) with a PEM BEGIN line.
    public static func looksLikePEM(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        return text.drop { $0.isWhitespace }.hasPrefix("-----BEGIN ")
    }

    /// Parses the first PEM block of `text`. Text before the BEGIN line is ignored, as
    /// OpenSSL does.
    public init(parsing bytes: [UInt8]) throws(RSAError) {
        // Split on bytes: in Swift, "\r\n" is one Character and would not split on "\n".
        let lines: [Substring] = bytes.split(separator: 0x0a, omittingEmptySubsequences: false).map { line in
            Substring(String(decoding: line.last == 0x0d ? line.dropLast() : line, as: UTF8.self))
        }
        guard let beginIndex = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") }) else {
            throw RSAError(.pemTruncated, "no `-----BEGIN ...-----` line found", help: "a PEM file starts with a BEGIN line")
        }
        let beginLine = lines[beginIndex].trimmingTrailingSpaces()
        guard beginLine.hasSuffix("-----"), beginLine.count > 16 else {
            throw RSAError(.pemTruncated, "line \(beginIndex + 1): the BEGIN line is cut short",
                           help: "the line must read `-----BEGIN LABEL-----`")
        }
        let label = String(beginLine.dropFirst(11).dropLast(5))
        guard let endIndex = lines[(beginIndex + 1)...].firstIndex(where: { $0.hasPrefix("-----END") }) else {
            throw RSAError(.pemTruncated, "the PEM block `\(label)` that starts at line \(beginIndex + 1) has no END line; the file is truncated",
                           help: "copy the whole file, through `-----END \(label)-----`")
        }
        let endLine = lines[endIndex].trimmingTrailingSpaces()
        let expectedEnd = "-----END \(label)-----"
        guard endLine == expectedEnd else {
            throw RSAError(.pemLabel, "line \(endIndex + 1): the END line `\(endLine)` does not match `\(expectedEnd)`",
                           help: "the BEGIN and END lines must carry the same label")
        }
        var body: [UInt8] = []
        var symbols = 0
        for lineIndex in (beginIndex + 1)..<endIndex {
            let line = lines[lineIndex]
            if line.contains(":") {
                if line.contains("ENCRYPTED") {
                    throw RSAError(.encryptedKey, "line \(lineIndex + 1): the PEM key is encrypted (`\(line.trimmingTrailingSpaces())`)",
                                   help: "decrypt it first, e.g. `openssl pkey -in KEY -out plain.pem`, and keep the result private")
                }
                continue  // RFC 1421 headers: tolerated, ignored
            }
            for byte in line.utf8 {
                if byte == 0x20 || byte == 0x09 { continue }
                let valid = (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39)
                    || byte == 0x2b || byte == 0x2f || byte == 0x3d
                guard valid else {
                    throw RSAError(.pemBase64, "line \(lineIndex + 1): `\(Character(Unicode.Scalar(byte)))` is not a base64 character",
                                   help: "the body of a PEM block holds only A-Z, a-z, 0-9, +, / and = padding")
                }
                body.append(byte)
                symbols += 1
            }
        }
        guard symbols % 4 == 0 else {
            throw RSAError(.pemBase64, "the base64 body of `\(label)` has \(symbols) characters, not a multiple of 4: a line is cut or has a stray character",
                           help: "re-copy the key file; each full line holds 64 characters")
        }
        var decoded: [UInt8] = []
        do {
            try body.withUnsafeBufferPointer { (buffer) throws(Base64.DecodeFailure) in try Base64.decode(buffer, into: &decoded) }
        } catch {
            throw RSAError(.pemBase64, "the base64 body of `\(label)` is malformed (\(error))",
                           help: "re-copy the key file; `=` padding may appear only at the end")
        }
        guard !decoded.isEmpty else {
            throw RSAError(.pemTruncated, "the PEM block `\(label)` is empty", help: "re-copy the key file")
        }
        self.label = label
        self.bytes = decoded
    }

    /// The armored text, with 64-character lines (RFC 7468).
    public var text: String { text(lineWidth: 64) }

    /// The armored text with lines of `lineWidth` characters (OpenSSH uses 70).
    public func text(lineWidth: Int) -> String {
        let encoded = Array(Base64.encode(bytes).utf8)
        var out = "-----BEGIN \(label)-----\n"
        var index = 0
        while index < encoded.count {
            let end = min(index + lineWidth, encoded.count)
            out += String(decoding: encoded[index..<end], as: UTF8.self) + "\n"
            index = end
        }
        out += "-----END \(label)-----\n"
        return out
    }
}

extension Substring {
    func trimmingTrailingSpaces() -> Substring {
        var result = self
        while let last = result.last, last == " " || last == "\t" { result = result.dropLast() }
        return result
    }
}
