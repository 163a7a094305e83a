#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole input, a file or standard input (`-`), into memory.
public enum InputReader {
    /// The name used for standard input in messages.
    public static let standardInputName = "<stdin>"

    /// Reads `path` (or standard input when `path` is `nil` or `-`).
    /// - Parameter limit: the largest input accepted, in bytes.
    public static func read(_ path: String?, limit: Int = 1 << 32) throws(FileError) -> [UInt8] {
        let usesStdin = path == nil || path == "-"
        let name = usesStdin ? standardInputName : path!
        let fd: Int32 = usesStdin ? 0 : open(path!, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw FileError(code: .cannotRead, path: name, reason: String(cString: strerror(errno)))
        }
        defer { if !usesStdin { close(fd) } }

        var info = stat()
        if fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
            throw FileError(code: .cannotRead, path: name, reason: "it is a directory")
        }
        var bytes: [UInt8] = []
        if (info.st_mode & S_IFMT) == S_IFREG && info.st_size > 0 {
            guard info.st_size <= limit else {
                throw FileError(code: .tooLarge, path: name, reason: "\(info.st_size) bytes, the limit is \(limit)")
            }
            bytes.reserveCapacity(Int(info.st_size))
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(code: .cannotRead, path: name, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            guard bytes.count + n <= limit else {
                throw FileError(code: .tooLarge, path: name, reason: "more than \(limit) bytes")
            }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }

    /// The display name of an input path.
    public static func displayName(_ path: String?) -> String {
        (path == nil || path == "-") ? standardInputName : path!
    }
}
