import Hashing
import RSA
import SExpr
import SPKI

/// A request to the registrar: an S-expression signed by the requester, so that no
/// password exists anywhere.
///
/// ```
/// (signed-request
///   (request (op create-vpxi) (time "1796400000") (nonce |q83vEjRWeJA=|) ...arguments...)
///   (signature (hash sha256 |H|) (public-key ...) (rsa-pkcs1-sha256 |S|)))
/// ```
///
/// The signature (what `spki sign` prints for the `(request ...)`) must name the
/// signer by its public key: that key is the requester. `time` is in seconds since the
/// epoch and must be within the accepted skew of the registrar's clock; the nonce (8 to
/// 64 bytes) must not have been seen within twice that skew.
public struct SignedRequest: Sendable {
    /// The operation word: `enroll`, `create-vpxi`, `add-user`, `delegate`, `release-vpxi`.
    public let op: String
    public let time: Int64
    public let nonce: [UInt8]
    /// The whole `(request ...)`.
    public let request: SExpr
    /// The signer's key, and its principal identity (hex SHA-256 of its canonical form).
    public let signer: RSAKeyFile
    public let signerID: String

    /// The largest body accepted, in bytes.
    public static let defaultSizeLimit = 256 * 1024
    /// The accepted clock skew, in seconds.
    public static let defaultSkew: Int64 = 300

    /// Parses and checks `body`: shape, signature, freshness of the time (the nonce is
    /// checked against the store by the caller).
    public static func verify(_ body: [UInt8], now: Int64, skew: Int64 = defaultSkew,
                              sizeLimit: Int = defaultSizeLimit) throws(RegistrarError) -> SignedRequest {
        guard body.count <= sizeLimit else {
            throw RegistrarError(.tooLarge, "the request is \(body.count) bytes, over the limit of \(sizeLimit)",
                                 help: "split the request, or raise --max-request-bytes")
        }
        let envelope: SExpr
        do {
            var options = SExprParser.Options()
            options.maxDepth = 64
            envelope = try SExpr.parse(body, options: options)
        } catch {
            throw RegistrarError(.malformed, "the body is not one S-expression: \(error)",
                                 help: "send `(signed-request (request ...) (signature ...))` in canonical, advanced or transport form")
        }
        let shape = "a request is `(signed-request (request (op OP) (time SECONDS) (nonce |BYTES|) ...) (signature ...))`"
        if envelope.head == "request" {
            throw RegistrarError(.unsigned, "the request is not signed",
                                 help: "sign it with `spki sign --key YOUR.key request.sexp` and send `(signed-request REQUEST SIGNATURE)`")
        }
        guard envelope.head == "signed-request" else {
            throw RegistrarError(.malformed, "expected `(signed-request ...)`, found \(describe(envelope))", help: shape)
        }
        let parts = Array(envelope.tail)
        guard let request = parts.first, request.head == "request" else {
            throw RegistrarError(.malformed, "the first element of `signed-request` must be `(request ...)`", help: shape)
        }
        guard parts.count == 2, parts[1].head == "signature" else {
            throw RegistrarError(.unsigned, "the request carries no `(signature ...)`",
                                 help: "sign the `(request ...)` with `spki sign --key YOUR.key` and append the signature")
        }
        let signature: SPKISignature
        do {
            signature = try SPKISignature(parsing: parts[1])
        } catch {
            throw RegistrarError(.badSignature, "the signature is malformed: \(error.message)", help: error.help)
        }
        guard signature.principal.head == "public-key" else {
            throw RegistrarError(.badSignature, "the signature names its signer by a hash; the registrar needs the public key",
                                 help: "sign with `spki sign`, which names the signer by its public key")
        }
        let key: RSAKeyFile
        do {
            key = try RSAKeyFile.load(signature.principal.canonical)
        } catch {
            throw RegistrarError(.badSignature, "the signer's public key is not usable: \(error.message)")
        }
        do {
            try signature.verify(canonical: request.canonical, key: key)
        } catch {
            throw RegistrarError(.badSignature, "the signature does not verify: \(error.message)",
                                 help: "sign exactly the `(request ...)` that is sent, with the key the signature names")
        }
        guard let op = request.first("op")?.tail.first?.text, !op.isEmpty else {
            throw RegistrarError(.malformed, "the request has no `(op OP)`", help: shape)
        }
        guard let timeText = request.first("time")?.tail.first?.text, let time = Int64(timeText) else {
            throw RegistrarError(.malformed, "the request has no `(time SECONDS)` (seconds since 1970, UTC)", help: shape)
        }
        guard abs(time - now) <= skew else {
            throw RegistrarError(.stale, "the request's time \(time) is \(time - now) s away from the registrar's clock (\(now)); at most \(skew) s are accepted",
                                 help: "sign a new request now, and check the clocks (NTP)")
        }
        guard let nonce = request.first("nonce")?.tail.first?.atomBytes, (8...64).contains(nonce.count) else {
            throw RegistrarError(.malformed, "the request has no `(nonce |BYTES|)` of 8 to 64 bytes", help: shape)
        }
        return SignedRequest(op: op, time: time, nonce: nonce, request: request, signer: key,
                             signerID: Hex.encode(Principal(key: key).id.bytes))
    }

    static func describe(_ value: SExpr) -> String {
        if let head = value.head { return "`(\(head) ...)`" }
        return value.isAtom ? "an atom" : "an empty list"
    }

    /// The text of the argument `(name VALUE)`, if present.
    public func argument(_ name: String) -> String? { request.first(name)?.tail.first?.text }

    /// Every `(name ...)` element of the request.
    public func elements(_ name: String) -> [SExpr] { request.tail.filter { $0.head == name } }

    /// The text of a required argument, or a malformed-request error.
    public func required(_ name: String, _ what: String) throws(RegistrarError) -> String {
        guard let value = argument(name), !value.isEmpty else {
            throw RegistrarError(.malformed, "the `\(op)` request needs `(\(name) ...)`: \(what)")
        }
        return value
    }
}

/// Builds signed requests: what a client (a user, a host, the tests) sends.
public enum RequestSigner {
    /// `(signed-request (request (op OP) (time T) (nonce N) ARGUMENTS...) SIGNATURE)`.
    public static func sign(op: String, arguments: [SExpr], key: RSAKeyFile, time: Int64,
                            nonce: [UInt8] = randomNonce()) throws -> SExpr {
        let request: SExpr = .list([["op", .string(op)], ["time", .string(String(time))], ["nonce", .bytes(nonce)]]
                                   .reduce(into: ["request"]) { $0.append($1) } + arguments)
        let signer = try RSASigner(key: try key.requirePrivateKey())
        let signature = try SPKISignature.sign(canonical: request.canonical, signer: signer, principal: key.publicKeySExpr)
        return ["signed-request", request, signature.sexp]
    }

    /// 16 random bytes.
    public static func randomNonce() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
