#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that a reader never sees a half-written result: the bytes go to a
/// temporary file in the same directory, are flushed to disk, and the file is renamed
/// over the destination. On any failure the temporary file is removed and the
/// destination is left as it was.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically with the given permission bits (0644 by
    /// default; use 0o600 for private keys). The mode is set before any byte is written.
    public static func write(_ bytes: [UInt8], to path: String, mode: UInt32 = 0o644) throws(FileError) {
        let directory = Self.directory(of: path)
        var template = Array("\(directory)/.\(Self.basename(of: path)).tmp-XXXXXX".utf8CString)
        let (fd, tempPath) = template.withUnsafeMutableBufferPointer { buffer in
            let fd = mkstemp(buffer.baseAddress!)
            return (fd, String(cString: buffer.baseAddress!))
        }
        guard fd >= 0 else {
            throw FileError(code: .cannotCreate, path: path, reason: Self.errnoText())
        }
        var ok = false
        defer {
            if !ok { unlink(tempPath) }
        }
        guard fchmod(fd, mode_t(mode)) == 0 else {
            let reason = Self.errnoText()
            close(fd)
            throw FileError(code: .cannotCreate, path: path, reason: reason)
        }
        var written = 0
        let failure: String? = bytes.withUnsafeBytes { raw -> String? in
            while written < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return Self.errnoText()
                }
                written += n
            }
            return nil
        }
        if let failure {
            close(fd)
            throw FileError(code: .cannotWrite, path: path, reason: failure)
        }
        if fsync(fd) != 0 {
            let reason = Self.errnoText()
            close(fd)
            throw FileError(code: .cannotWrite, path: path, reason: reason)
        }
        close(fd)
        guard rename(tempPath, path) == 0 else {
            throw FileError(code: .cannotWrite, path: path, reason: Self.errnoText())
        }
        ok = true
    }

    /// Convenience for text output.
    public static func write(_ text: String, to path: String, mode: UInt32 = 0o644) throws(FileError) {
        try write(Array(text.utf8), to: path, mode: mode)
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "/" }
        return String(path[..<slash])
    }

    static func basename(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
