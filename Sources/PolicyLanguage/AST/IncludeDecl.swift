import Diagnostics

/// `include "common.vp"`: the declarations of another file, by path relative to
/// this one.
public struct IncludeDecl: Hashable, Sendable {
    public var path: StringLiteral
    public var range: SourceRange

    public init(path: StringLiteral, range: SourceRange) {
        self.path = path
        self.range = range
    }
}
