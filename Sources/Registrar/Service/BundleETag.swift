import Backends
import Hashing
import SExpr

/// A bundle's ETag without hashing its whole body (52 KB a host and epoch).
///
/// A bundle archive (`Backends.BundleArchive`) is `(bundle (host H) (file (path P) (mode M)
/// BYTES)...)` with the files in path order, and among them `manifest.sexp`, which lists
/// every other file with its path, size, mode and SHA-256, and `manifest.sig`, the
/// registrar's signature of it. When the archive's other files are exactly the manifest's
/// entries (same paths in the same order, same modes, same sizes), the body is a function
/// of the host, the manifest's bytes, the signature's bytes, and where and with which mode
/// those two files sit: each other file's bytes are fixed by their SHA-256 in the
/// manifest. The ETag is then the digest of those, about 3.5 KB instead of 52:
///
///     SHA-256((15:spkic-bundle-v1 HOST MANIFEST-INDEX MANIFEST-MODE MANIFEST
///              SIGNATURE-INDEX SIGNATURE-MODE SIGNATURE))     (canonical atoms)
///
/// an unchanged body keeps its ETag, a changed body gets a new one (unless SHA-256
/// collides). Any archive not of that shape (another source's bytes, a file the manifest
/// does not list) gets the digest of its whole body, as before, and the two kinds cannot
/// meet: a whole body starts with `(6:bundle`. The version in the prefix changes with the
/// archive's layout. `BundleETagTests` checks both properties.
enum BundleETag {
    static let domain = "spkic-bundle-v1"

    /// The ETag of `archive`: `"` + the first 32 hex digits of the SHA-256 + `"`.
    static func of(_ archive: [UInt8]) -> String {
        guard let input = derivedInput(archive) else { return RegistrarService.etag(archive) }
        return RegistrarService.etag(input)
    }

    /// What the ETag of `archive` digests when the archive is a manifest-described bundle,
    /// else nil.
    static func derivedInput(_ archive: [UInt8]) -> [UInt8]? {
        var cursor = CanonicalCursor(archive)
        guard cursor.take("(6:bundle(4:host"), let host = cursor.atom(), cursor.take(")") else { return nil }
        var files: [(path: Range<Int>, mode: Range<Int>, content: Range<Int>)] = []
        while cursor.take("(4:file(4:path") {
            guard let path = cursor.atom(), cursor.take(")(4:mode"), let mode = cursor.atom(), cursor.take(")"),
                  let content = cursor.atom(), cursor.take(")") else { return nil }
            files.append((path, mode, content))
        }
        guard cursor.take(")"), cursor.atEnd else { return nil }
        let manifestName = Array(BundleManifest.fileName.utf8), signatureName = Array(BundleManifest.signatureFileName.utf8)
        var manifestIndex: Int?, signatureIndex: Int?
        var others: [(path: Range<Int>, mode: Range<Int>, content: Range<Int>)] = []
        for (index, file) in files.enumerated() {
            if archive[file.path].elementsEqual(manifestName) {
                guard manifestIndex == nil else { return nil }
                manifestIndex = index
            } else if archive[file.path].elementsEqual(signatureName) {
                guard signatureIndex == nil else { return nil }
                signatureIndex = index
            } else {
                others.append(file)
            }
        }
        guard let manifestIndex, let signatureIndex else { return nil }
        let manifest = files[manifestIndex].content
        guard describes(archive, manifest: manifest, files: others) else { return nil }
        var input: [UInt8] = []
        input.reserveCapacity(64 + host.count + manifest.count + files[signatureIndex].content.count)
        input.append(0x28)
        appendAtom(domain.utf8, to: &input)
        appendAtom(archive[host], to: &input)
        for index in [manifestIndex, signatureIndex] {
            appendAtom(String(index).utf8, to: &input)
            appendAtom(archive[files[index].mode], to: &input)
            appendAtom(archive[files[index].content], to: &input)
        }
        input.append(0x29)
        return input
    }

    /// Whether the manifest at `manifest` (canonical, `BundleManifest.canonical`'s layout)
    /// lists exactly `files`, in order: path, size (the content's length) and mode (`0`
    /// and the archive's octal mode), each with a SHA-256.
    static func describes(_ archive: [UInt8], manifest: Range<Int>, files: [(path: Range<Int>, mode: Range<Int>, content: Range<Int>)]) -> Bool {
        var cursor = CanonicalCursor(archive, manifest)
        guard cursor.take("(15:bundle-manifest(7:version1:1)(4:host"), cursor.atom() != nil, cursor.skipValue(), cursor.take(")(9:registrar"),
              cursor.atom() != nil, cursor.skipValue(), cursor.take(")(9:generated"), cursor.atom() != nil, cursor.take(")") else { return false }
        var index = 0
        while cursor.take("(4:file") {
            guard index < files.count, let path = cursor.atom(), archive[path].elementsEqual(archive[files[index].path]),
                  cursor.take("(4:size"), let size = cursor.atom(), archive[size].elementsEqual(String(files[index].content.count).utf8),
                  cursor.take(")(4:mode"), let mode = cursor.atom(), archive[mode].first == UInt8(ascii: "0"),
                  archive[mode].dropFirst().elementsEqual(archive[files[index].mode]),
                  cursor.take(")(4:hash6:sha256"), let digest = cursor.atom(), digest.count == 32, cursor.take("))") else { return false }
            index += 1
        }
        return index == files.count && cursor.take(")") && cursor.atEnd
    }

    /// `LENGTH:BYTES`, a canonical atom.
    static func appendAtom<Bytes: Collection<UInt8>>(_ bytes: Bytes, to out: inout [UInt8]) {
        out.append(contentsOf: String(bytes.count).utf8)
        out.append(0x3A)
        out.append(contentsOf: bytes)
    }
}

/// A reader of canonical S-expression bytes that only moves over them: literal text,
/// atoms (`LENGTH:BYTES`, no display hint) and whole values, within `bounds`.
struct CanonicalCursor {
    let bytes: [UInt8]
    var position: Int
    let end: Int

    init(_ bytes: [UInt8], _ bounds: Range<Int>? = nil) {
        self.bytes = bytes
        position = bounds?.lowerBound ?? 0
        end = bounds?.upperBound ?? bytes.count
    }

    var atEnd: Bool { position == end }

    /// Moves past `literal` if the bytes at the position are it.
    mutating func take(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard count <= end - position else { return false }
        let matches = literal.withUTF8Buffer { text in
            bytes.withUnsafeBufferPointer { bytes in
                memcmp(bytes.baseAddress! + position, text.baseAddress!, count) == 0
            }
        }
        if matches { position += count }
        return matches
    }

    /// The range of the atom at the position (moving past it), or nil.
    mutating func atom() -> Range<Int>? {
        var length = 0, index = position, digits = 0
        while index < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            // No leading zero (canonical), at most 9 digits.
            guard digits < 9, digits == 0 || length > 0 else { return nil }
            length = length * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
            digits += 1
        }
        guard digits > 0, index < end, bytes[index] == UInt8(ascii: ":"), length <= end - index - 1 else { return nil }
        position = index + 1 + length
        return (index + 1)..<position
    }

    /// Moves past one value (an atom, with or without a display hint, or a list).
    mutating func skipValue() -> Bool {
        var depth = 0
        repeat {
            guard position < end else { return false }
            switch bytes[position] {
            case UInt8(ascii: "("):
                depth += 1
                position += 1
            case UInt8(ascii: ")"):
                guard depth > 0 else { return false }
                depth -= 1
                position += 1
            case UInt8(ascii: "["):
                position += 1
                guard atom() != nil, take("]"), atom() != nil else { return false }
            default:
                guard atom() != nil else { return false }
            }
        } while depth > 0
        return true
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
