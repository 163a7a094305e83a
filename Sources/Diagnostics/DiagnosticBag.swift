/// Collects diagnostics during one pass, with a cap on errors: once `errorLimit`
/// errors are in, further ones are dropped and `isFull` says the pass may stop.
public struct DiagnosticBag: Sendable {
    public private(set) var diagnostics: [Diagnostic] = []
    public private(set) var errorCount = 0
    /// How many errors were dropped because the cap was reached.
    public private(set) var droppedErrors = 0
    public let errorLimit: Int

    public init(errorLimit: Int = 20) {
        self.errorLimit = max(1, errorLimit)
    }

    public var isFull: Bool { errorCount >= errorLimit }

    public mutating func add(_ diagnostic: Diagnostic) {
        if diagnostic.severity == .error {
            if isFull {
                droppedErrors += 1
                return
            }
            errorCount += 1
        }
        diagnostics.append(diagnostic)
    }

    public mutating func append(contentsOf other: [Diagnostic]) {
        for diagnostic in other { add(diagnostic) }
    }
}
