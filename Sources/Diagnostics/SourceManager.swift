/// The set of source files of one run, addressed by `FileID`.
public struct SourceManager: Sendable {
    public private(set) var files: [SourceFile] = []

    public init() {}

    /// Registers a file and returns it.
    @discardableResult
    public mutating func add(name: String, bytes: [UInt8]) -> SourceFile {
        let file = SourceFile(id: FileID(rawValue: UInt32(files.count)), name: name, bytes: bytes)
        files.append(file)
        return file
    }

    /// Registers a file given as text.
    @discardableResult
    public mutating func add(name: String, text: String) -> SourceFile {
        add(name: name, bytes: Array(text.utf8))
    }

    public subscript(id: FileID) -> SourceFile { files[Int(id.rawValue)] }

    /// The file registered under `name`, if any.
    public func file(named name: String) -> SourceFile? {
        files.first { $0.name == name }
    }

    /// `name:line:column` of the start of `range`.
    public func describe(_ range: SourceRange) -> String {
        let file = self[range.file]
        return "\(file.name):\(file.location(of: range.start))"
    }
}
