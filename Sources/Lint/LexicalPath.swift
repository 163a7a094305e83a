/// Paths handled as text, without asking the file system: made absolute against a working
/// directory, `.` and `..` resolved (symbolic links are not followed), and shown relative
/// to the working directory when under it. For configuration discovery and the ignored
/// paths of a discovered configuration.
enum LexicalPath {
    /// `path` as an absolute path with no `.`, `..` or empty segments.
    static func absolute(_ path: String, in workingDirectory: String) -> String {
        let joined = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        var segments: [Substring] = []
        for segment in joined.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": if !segments.isEmpty { segments.removeLast() }
            default: segments.append(segment)
            }
        }
        return "/" + segments.joined(separator: "/")
    }

    /// The folder holding `path` (an absolute, normalized path); nil for the root.
    static func parent(_ path: String) -> String? {
        guard path != "/", let slash = path.lastIndex(of: "/") else { return nil }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` (absolute, normalized) relative to `folder` (absolute, normalized) when it is
    /// inside it; nil otherwise. The folder itself is `""`.
    static func relative(_ path: String, to folder: String) -> String? {
        if path == folder { return "" }
        let prefix = folder == "/" ? "/" : folder + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : nil
    }

    /// `path` (absolute, normalized) as shown to the user: relative to the working
    /// directory when inside it, absolute otherwise.
    static func display(_ path: String, workingDirectory: String) -> String {
        guard let relative = relative(path, to: absolute(".", in: workingDirectory)), !relative.isEmpty else { return path }
        return relative
    }
}
