#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PolicyLanguage
import ToolSupport

/// The file access the library asks for, done here at the edge.
enum FileAccess {
    static func read(_ path: String) -> Result<[UInt8], PolicyLoader.ReadFailure> {
        do {
            return .success(try InputReader.read(path))
        } catch {
            return .failure(PolicyLoader.ReadFailure(reason: error.reason))
        }
    }

    /// The file a rewrite in place must replace: `path` with its symbolic links resolved,
    /// so that a link stays a link and the file it names gets the new bytes (renaming
    /// over the link itself would turn it into a copy). `path` itself if it cannot be
    /// resolved; the write then reports why.
    static func rewriteTarget(of path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The permission bits of an existing file (0644 if unknown), kept on rewrite.
    static func mode(of path: String) -> UInt32 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0o644 }
        return UInt32(info.st_mode) & 0o7777
    }
}
