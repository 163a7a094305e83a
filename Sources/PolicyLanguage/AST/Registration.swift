/// A host's registration with a registrar, optionally bounded in time.
public struct Registration: Hashable, Sendable {
    public var registrar: Identifier
    public var from: DateTime?
    public var until: DateTime?

    public init(registrar: Identifier, from: DateTime?, until: DateTime?) {
        self.registrar = registrar
        self.from = from
        self.until = until
    }
}
