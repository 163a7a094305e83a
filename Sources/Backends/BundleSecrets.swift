/// The registrar's secret from which every ESP key of a plan is derived, so that the same
/// plan and secret always give the same bundles (byte for byte), and a re-run within an
/// epoch hands out the keys already in use instead of new ones.
///
/// - the KEYMAT of an SA is HKDF-SHA-256 (RFC 5869) of the secret, with the salt
///   `spkic esp keymat v1` and, as info, the canonical S-expression that names the SA
///   (`(sa (vpxi V) (from A) (to B) (epoch START))`);
/// - the OAEP seed used to wrap KEYMAT to a host key comes from HKDF-SHA-256 of the same
///   secret, salt `spkic oaep seed v1`, info naming what is wrapped and for which host.
///
/// Keep it with the registrar's private keys (mode 0600). It never appears in a bundle, a
/// log or an error; `description` does not show it.
public struct BundleSecrets: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let keymat: HKDFSHA256
    private let seeds: HKDFSHA256

    /// The smallest accepted secret, in bytes.
    public static let minimumLength = 32

    public init(espMasterKey bytes: [UInt8]) throws(BackendsError) {
        guard bytes.count >= Self.minimumLength else {
            throw BackendsError(.invalidSecret, "the ESP master secret has \(bytes.count) bytes, fewer than \(Self.minimumLength)",
                                help: "generate 32 random bytes")
        }
        keymat = HKDFSHA256(salt: Array("spkic esp keymat v1".utf8), inputKeyMaterial: bytes)
        seeds = HKDFSHA256(salt: Array("spkic oaep seed v1".utf8), inputKeyMaterial: bytes)
    }

    /// A fresh random secret (32 bytes from the system's generator): write it to the key
    /// store once, then reuse it.
    public static func generate() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<minimumLength).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    public var description: String { "BundleSecrets(redacted)" }
    public var debugDescription: String { description }

    /// The KEYMAT of one SA, from the canonical bytes of its name (`SecurityAssociation.ID`).
    func keyMaterial(for sa: [UInt8], length: Int) -> [UInt8] {
        keymat.expand(info: sa, length: length)
    }

    /// The generator that supplies the OAEP seed when the keys of the SAs named by
    /// `inbound` and `outbound` (canonical bytes) are wrapped for `host`: the info is the
    /// canonical form of `(wrap INBOUND OUTBOUND (host HOST))`.
    func wrappingGenerator(inbound: [UInt8], outbound: [UInt8], host: String) -> SeededGenerator {
        let hostName = Array(host.utf8)
        var info: [UInt8] = []
        info.reserveCapacity(inbound.count + outbound.count + hostName.count + 24)
        info.append(contentsOf: Array("(4:wrap".utf8))
        info.append(contentsOf: inbound)
        info.append(contentsOf: outbound)
        info.append(contentsOf: Array("(4:host\(hostName.count):".utf8))
        info.append(contentsOf: hostName)
        info.append(contentsOf: Array("))".utf8))
        return SeededGenerator(seed: seeds.expand(info: info, length: 32))
    }
}
