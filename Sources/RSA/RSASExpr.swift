import BigNum
import SExpr

/// SPKI S-expression keys:
/// `(public-key (rsa-pkcs1-sha256 (n N) (e E)))` and
/// `(private-key (rsa-pkcs1-sha256 (n N) (e E) (d D) (p P) (q Q) (a A) (b B) (c C)))`,
/// where a = d mod (p-1), b = d mod (q-1), c = q^-1 mod p, and every integer is minimal
/// big-endian two's complement (a 0x00 byte first when the top bit is set).
///
/// On input the algorithm may also be `rsa-pkcs1` (what nettle's `pkcs1-conv` writes),
/// `rsa-pkcs1-sha1`, `rsa-pkcs1-md5` or `rsa`, and the members may come in any order.
public enum RSASExpr {
    /// The algorithm word written on output.
    public static let defaultAlgorithm = "rsa-pkcs1-sha256"
    /// The algorithm words accepted on input.
    public static let acceptedAlgorithms: Set<String> = ["rsa-pkcs1-sha256", "rsa-pkcs1", "rsa-pkcs1-sha1", "rsa-pkcs1-md5", "rsa"]

    static let publicMembers = ["n", "e"]
    static let privateMembers = ["n", "e", "d", "p", "q", "a", "b", "c"]

    // MARK: Writing

    /// `(public-key (ALG (n N) (e E)))`.
    public static func publicKey(_ key: RSAPublicKey, algorithm: String = defaultAlgorithm) -> SExpr {
        ["public-key", .list([.string(algorithm), member("n", key.n), member("e", key.e)])]
    }

    /// `(private-key (ALG (n)(e)(d)(p)(q)(a)(b)(c)))`. Holds key material: write it only to
    /// a private file.
    public static func privateKey(_ key: RSAPrivateKey, algorithm: String = defaultAlgorithm) -> SExpr {
        let values = [key.n, key.e, key.d, key.p, key.q, key.dP, key.dQ, key.qInv]
        return ["private-key", .list([.string(algorithm)] + zip(privateMembers, values).map { member($0, $1) })]
    }

    static func member(_ name: String, _ value: BigNum) -> SExpr {
        [.string(name), .bytes(value.twosComplementBytes)]
    }

    // MARK: Reading

    /// A key read from an S-expression, with the parts needed to keep it as received.
    public struct Decoded {
        public var publicKey: RSAPublicKey
        public var privateKey: RSAPrivateKey?
        /// The algorithm word as written.
        public var algorithm: String
        /// The public key S-expression made of the received algorithm word and n and e
        /// atoms in their received order: for a public key, exactly what was read.
        public var publicKeySExpr: SExpr
    }

    /// The RSA public key of a `(public-key ...)` expression, as `decode(_:).publicKey`
    /// gives it, without the parts kept for re-writing the key: what a verifier needs for
    /// each issuer key it meets. The usual shape `(public-key (ALG (n N) (e E)))`, members
    /// in either order, is read by comparing atom bytes, with no intermediate strings or
    /// tables; anything else goes through `decode`, which also gives its errors.
    public static func decodePublicKey(_ value: SExpr) throws(RSAError) -> RSAPublicKey {
        guard case .list(let outer) = value, outer.count == 2, outer[0].isPlainAtom(publicKeyWord),
              case .list(let body) = outer[1], body.count == 3, case .atom(let algorithm) = body[0],
              algorithm.hint == nil, acceptedAlgorithmBytes.contains(where: { $0 == algorithm.bytes }),
              let first = positiveMember(body[1]), let second = positiveMember(body[2]) else {
            return try decode(value).publicKey
        }
        let n: [UInt8], e: [UInt8]
        switch (first.name, second.name) {
        case (.n, .e): (n, e) = (first.bytes, second.bytes)
        case (.e, .n): (n, e) = (second.bytes, first.bytes)
        default: return try decode(value).publicKey
        }
        // The usual small exponent (65537) straight into an integer: no BigNum for it.
        if let small = smallInteger(e), small > 0, small < 1 << 62 {
            return try RSAPublicKey(n: BigNum(unsignedBytes: n), smallExponent: small)
        }
        return try RSAPublicKey(n: BigNum(unsignedBytes: n), e: BigNum(unsignedBytes: e))
    }

    /// Unsigned big-endian bytes as an integer, when they fit in 64 bits.
    private static func smallInteger(_ bytes: [UInt8]) -> UInt64? {
        var value: UInt64 = 0
        for byte in bytes {
            guard value >> 56 == 0 else { return nil }
            value = value << 8 | UInt64(byte)
        }
        return value
    }

    private static let publicKeyWord = Array("public-key".utf8)
    /// The accepted words, the usual one first: compared byte for byte (no hashing).
    private static let acceptedAlgorithmBytes = ([defaultAlgorithm] + acceptedAlgorithms.subtracting([defaultAlgorithm]).sorted()).map { Array($0.utf8) }

    private enum PublicMember { case n, e }

    /// `(n INTEGER)` or `(e INTEGER)` with a non-empty, positive integer; `nil` otherwise.
    private static func positiveMember(_ item: SExpr) -> (name: PublicMember, bytes: [UInt8])? {
        guard case .list(let parts) = item, parts.count == 2, case .atom(let name) = parts[0], name.hint == nil,
              name.bytes.count == 1, case .atom(let integer) = parts[1],
              let top = integer.bytes.first, top & 0x80 == 0 else { return nil }
        switch name.bytes[0] {
        case UInt8(ascii: "n"): return (.n, integer.bytes)
        case UInt8(ascii: "e"): return (.e, integer.bytes)
        default: return nil
        }
    }

    /// Reads a `public-key` or `private-key` expression.
    public static func decode(_ value: SExpr) throws(RSAError) -> Decoded {
        guard let head = value.head, head == "public-key" || head == "private-key" else {
            throw RSAError(.sexpNotAKey, "the expression is `(\(value.head ?? "…") …)`, not a `(public-key …)` or `(private-key …)`",
                           help: "pass a key file; `spki keygen` makes one")
        }
        let body = Array(value.tail)
        guard body.count == 1, let algorithmExpr = body.first, let algorithm = algorithmExpr.head else {
            throw RSAError(.sexpNotAKey, "`(\(head) …)` must hold exactly one `(ALGORITHM (n …) (e …) …)` list")
        }
        guard acceptedAlgorithms.contains(algorithm) else {
            throw RSAError(.unsupportedAlgorithm, "the key algorithm `\(algorithm)` is not supported",
                           help: "RSA keys use one of \(acceptedAlgorithms.sorted().map { "`\($0)`" }.joined(separator: ", "))")
        }
        let isPrivate = head == "private-key"
        let expected = isPrivate ? privateMembers : publicMembers
        var values: [String: BigNum] = [:]
        var publicParts: [SExpr] = [.string(algorithm)]
        for item in algorithmExpr.tail {
            guard let name = item.head, item.tail.count == 1, let bytes = item.tail.first?.atomBytes else {
                throw RSAError(.sexpMalformed, "in `(\(algorithm) …)`, each member must be `(NAME INTEGER)`, found `\(item.isAtom ? "an atom" : "(\(item.head ?? "…") …)")`")
            }
            guard expected.contains(name) else {
                throw RSAError(.sexpMalformed, "`(\(name) …)` is not a member of an RSA \(isPrivate ? "private" : "public") key",
                               help: "the members are \(expected.map { "`\($0)`" }.joined(separator: ", "))")
            }
            guard values[name] == nil else {
                throw RSAError(.sexpDuplicateField, "the member `\(name)` appears twice in the key")
            }
            guard !bytes.isEmpty, bytes[0] & 0x80 == 0 else {
                throw RSAError(.sexpBadInteger, "the member `\(name)` is \(bytes.isEmpty ? "empty" : "negative (its top bit is set without a 0x00 sign byte)")",
                               help: "integers are big-endian two's complement; a positive value with its top bit set starts with a 0x00 byte")
            }
            values[name] = BigNum(twosComplement: bytes, secret: !publicMembers.contains(name))
            if publicMembers.contains(name) { publicParts.append(item) }
        }
        for name in expected where values[name] == nil {
            throw RSAError(.sexpMissingField, "the \(isPrivate ? "private" : "public") key has no `(\(name) …)` member",
                           help: "a key needs \(expected.map { "`\($0)`" }.joined(separator: ", "))")
        }
        let publicKeySExpr: SExpr = ["public-key", .list(publicParts)]
        if isPrivate {
            let key = try RSAPrivateKey(n: values["n"]!, e: values["e"]!, d: values["d"]!, p: values["p"]!, q: values["q"]!,
                                        dP: values["a"]!, dQ: values["b"]!, qInv: values["c"]!)
            return Decoded(publicKey: key.publicKey, privateKey: key, algorithm: algorithm, publicKeySExpr: publicKeySExpr)
        }
        let key = try RSAPublicKey(n: values["n"]!, e: values["e"]!)
        return Decoded(publicKey: key, privateKey: nil, algorithm: algorithm, publicKeySExpr: value)
    }
}

extension SExpr {
    /// Whether this is an atom without a display hint whose bytes are `bytes`.
    fileprivate func isPlainAtom(_ bytes: [UInt8]) -> Bool {
        guard case .atom(let atom) = self, atom.hint == nil else { return false }
        return atom.bytes == bytes
    }
}
