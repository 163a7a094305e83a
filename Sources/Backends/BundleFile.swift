/// One file of a bundle: its path inside the host's folder, its bytes and its mode.
public struct BundleFile: Hashable, Sendable {
    /// Relative, `/`-separated, without `.` or `..` components.
    public let path: String
    public let bytes: [UInt8]
    public let mode: UInt32

    public init(path: String, bytes: [UInt8], mode: UInt32 = 0o644) {
        self.path = path
        self.bytes = bytes
        self.mode = mode
    }

    public init(path: String, text: String, mode: UInt32 = 0o644) {
        self.init(path: path, bytes: Array(text.utf8), mode: mode)
    }

    /// Whether `path` is a safe relative path: components of printable characters other
    /// than `/`, none empty, `.` or `..`.
    public static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, path.utf8.count <= 1024 else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part != "." && part != ".." && part.utf8.allSatisfy { $0 > 0x20 && $0 != 0x7F && $0 != UInt8(ascii: "\\") }
        }
    }
}
