/// The bundle of one physical host: every file of its folder, sorted by path, the manifest
/// and its signature included.
public struct HostBundle: Sendable {
    public let host: String
    public let files: [BundleFile]

    public init(host: String, files: [BundleFile]) {
        self.host = host
        self.files = files.sorted { $0.path < $1.path }
    }

    /// The total size of the files, in bytes.
    public var byteCount: Int { files.reduce(0) { $0 + $1.bytes.count } }

    public func file(_ path: String) -> BundleFile? { files.first { $0.path == path } }
}
