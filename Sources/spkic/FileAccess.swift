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

    /// The permission bits of an existing file (0644 if unknown), kept on rewrite.
    static func mode(of path: String) -> UInt32 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0o644 }
        return UInt32(info.st_mode) & 0o7777
    }
}
