import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a host's bundle folder into the map `BundleVerifier` checks: every regular file by
/// relative path. Symbolic links and special files are refused (a bundle holds neither),
/// and so are bundles over the size limit.
public enum BundleReader {
    /// The largest bundle read, in bytes.
    public static let defaultLimit = 1 << 30

    public static func read(directory: String, limit: Int = defaultLimit) throws(BackendsError) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        var total = 0
        try walk(directory, prefix: "", into: &files, total: &total, limit: limit)
        return files
    }

    private static func walk(_ directory: String, prefix: String, into files: inout [String: [UInt8]],
                             total: inout Int, limit: Int) throws(BackendsError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            throw BackendsError(.cannotRead, "cannot list `\(directory)`")
        }
        for name in names {
            let path = "\(directory)/\(name)"
            let relative = prefix.isEmpty ? name : "\(prefix)/\(name)"
            var status = stat()
            guard lstat(path, &status) == 0 else { throw BackendsError(.cannotRead, "cannot read `\(path)`") }
            switch status.st_mode & S_IFMT {
            case S_IFDIR:
                try walk(path, prefix: relative, into: &files, total: &total, limit: limit)
            case S_IFREG:
                guard BundleFile.isSafe(relative) else { throw BackendsError(.unsafePath, "`\(relative.prefix(80))` is not a bundle path") }
                total += Int(status.st_size)
                guard total <= limit else { throw BackendsError(.cannotRead, "the bundle in `\(directory)` is over \(limit) bytes") }
                guard let data = FileManager.default.contents(atPath: path) else { throw BackendsError(.cannotRead, "cannot read `\(path)`") }
                files[relative] = Array(data)
            default:
                throw BackendsError(.unsafePath, "`\(relative.prefix(80))` is a link or a special file, which a bundle never holds")
            }
        }
    }
}
