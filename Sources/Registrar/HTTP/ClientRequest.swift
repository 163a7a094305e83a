import RSA
import SExpr
import SPKI

/// The signed requests a user sends (`vpxi-registrar request ...`): for each operation,
/// the endpoint and the `(request ...)` arguments, built from what the user gives; and
/// the reading of the registrar's answer. `RegistrarClient.post` signs and sends them.
public struct ClientRequest: Sendable {
    /// The endpoint, relative to the registrar's URL (`v1/vpxis/seg/users`).
    public let path: String
    public let op: String
    public let arguments: [SExpr]

    /// `POST /v1/vpxis`: a `.vp` fragment holding one `vpxi` block.
    public static func createVPXI(policy: String) -> ClientRequest {
        ClientRequest(path: "v1/vpxis", op: "create-vpxi", arguments: [["policy", .string(policy)]])
    }

    /// `POST /v1/vpxis/{vpxi}/users`: `rights` and `on` as in a `grant`; `during` `A .. B`.
    public static func addUser(vpxi: String, user: String, rights: String, on targets: String?, during: String?) -> ClientRequest {
        var arguments: [SExpr] = [["vpxi", .string(vpxi)], ["user", .string(user)], ["rights", .string(rights)]]
        if let targets { arguments.append(["on", .string(targets)]) }
        if let during { arguments.append(["during", .string(during)]) }
        return ClientRequest(path: "v1/vpxis/\(vpxi)/users", op: "add-user", arguments: arguments)
    }

    /// `POST /v1/vpxis/{vpxi}/users/remove`.
    public static func removeUser(vpxi: String, user: String) -> ClientRequest {
        ClientRequest(path: "v1/vpxis/\(vpxi)/users/remove", op: "remove-user", arguments: [["vpxi", .string(vpxi)], ["user", .string(user)]])
    }

    /// `POST /v1/vpxis/{vpxi}/release`.
    public static func release(vpxi: String) -> ClientRequest {
        ClientRequest(path: "v1/vpxis/\(vpxi)/release", op: "release-vpxi", arguments: [["vpxi", .string(vpxi)]])
    }

    /// `POST /v1/vpxis/{vpxi}/delegations`: every `(cert-request (machine M) CERT)` of an
    /// add-user answer's `(to-sign ...)`, each cert signed with `key` (the owner's), as
    /// `(delegation (machine M) (sequence CERT SIGNATURE))`.
    public static func delegate(answer: SExpr, key: RSAKeyFile) throws(RegistrarError) -> ClientRequest {
        guard answer.head == "vpxi", let vpxi = answer.first("name")?.tail.first?.text else {
            throw RegistrarError(.malformed, "this is not an add-user answer: it should be `(vpxi (name V) ... (to-sign ...))`",
                                 help: "give the answer `vpxi-registrar request add-user` printed (or `-o` wrote)")
        }
        guard let toSign = answer.first("to-sign") else {
            throw RegistrarError(.malformed, "the answer has no `(to-sign ...)`: nothing to sign",
                                 help: "give the answer of add-user, not of create-vpxi")
        }
        var arguments: [SExpr] = [["vpxi", .string(vpxi)]]
        for request in toSign.tail {
            guard request.head == "cert-request", let machine = request.first("machine"), let body = request.first("cert") else {
                throw RegistrarError(.malformed, "`(to-sign ...)` holds something other than `(cert-request (machine M) (cert ...))`")
            }
            var warnings: [SPKIWarning] = []
            let signature: SExpr
            let cert: Cert
            do {
                cert = try Cert(parsing: body, warnings: &warnings)
                signature = try cert.sign(with: key).sexp
            } catch {
                throw RegistrarError(.malformed, "cannot sign the cert for \(machine.tail.first?.text ?? "?"): \(error.message)")
            }
            arguments.append(["delegation", machine, ["sequence", cert.sexp, signature]])
        }
        guard arguments.count > 1 else {
            throw RegistrarError(.malformed, "`(to-sign)` is empty: every cert was signed already", help: "nothing is left to send")
        }
        return ClientRequest(path: "v1/vpxis/\(vpxi)/delegations", op: "delegate", arguments: arguments)
    }

    /// The registrar's answer: its document when it is a success (2xx), its error as a
    /// `RegistrarError` (code, message, help) when it is `(error ...)`.
    public static func result(of answer: RegistrarClient.Answer) throws(RegistrarError) -> SExpr {
        if (200..<300).contains(answer.status), let document = answer.sexp { return document }
        if let document = answer.sexp, document.head == "error",
           let code = document.first("code")?.tail.first?.text.flatMap(RegistrarError.Code.init(rawValue:)),
           let message = document.first("message")?.tail.first?.text {
            throw RegistrarError(code, message, help: document.first("help")?.tail.first?.text)
        }
        throw RegistrarError(.internal, "the registrar answered HTTP \(answer.status) with \(answer.body.count) bytes that are not an S-expression",
                             help: "check that the URL is the registrar's (`vpxi-registrar serve --url`)")
    }
}
