/// A failure to read or write a file, with a stable code.
public struct FileError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case cannotRead = "F001"
        case cannotCreate = "F002"
        case cannotWrite = "F003"
        case tooLarge = "F004"
    }

    public let code: Code
    public let path: String
    public let reason: String

    public init(code: Code, path: String, reason: String) {
        self.code = code
        self.path = path
        self.reason = reason
    }

    public var description: String {
        switch code {
        case .cannotRead: return "cannot read `\(path)`: \(reason)"
        case .cannotCreate: return "cannot create a file beside `\(path)`: \(reason)"
        case .cannotWrite: return "cannot write `\(path)`: \(reason)"
        case .tooLarge: return "`\(path)` is too large: \(reason)"
        }
    }
}
