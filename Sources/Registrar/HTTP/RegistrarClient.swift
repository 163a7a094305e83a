#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Foundation
import RSA
import SExpr

/// A small client of the registrar's API (URLSession): signs and posts requests, pulls
/// chains and bundles with If-None-Match. What the tests use, and what `vpxi-agent` can
/// call to pull its bundles.
public struct RegistrarClient: Sendable {
    public let base: URL
    let session: URLSession

    public struct Answer: Sendable {
        public var status: Int
        public var body: [UInt8]
        public var etag: String?
        public var text: String { String(decoding: body, as: UTF8.self) }
        /// The body as an S-expression, when it is one.
        public var sexp: SExpr? { try? SExpr.parse(body) }
        /// The `R0NN` code of an error answer.
        public var errorCode: String? { sexp?.first("code")?.tail.first?.text }
    }

    public init(base: URL, session: URLSession = .shared) {
        self.base = base
        self.session = session
    }

    /// Posts raw bytes.
    public func post(_ path: String, body: [UInt8]) async throws -> Answer {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("text/plain; charset=utf-8", forHTTPHeaderField: "Content-Type")
        return try await send(request)
    }

    /// Signs `(request (op OP) (time NOW) (nonce N) ARGUMENTS...)` with `key` and posts it.
    public func post(_ path: String, op: String, arguments: [SExpr], key: RSAKeyFile, time: Int64) async throws -> Answer {
        let signed = try RequestSigner.sign(op: op, arguments: arguments, key: key, time: time)
        return try await post(path, body: Array(signed.advanced(width: 0).utf8))
    }

    /// GETs `path`, with `If-None-Match: etag` when given.
    public func get(_ path: String, ifNoneMatch etag: String? = nil) async throws -> Answer {
        var request = URLRequest(url: base.appendingPathComponent(path))
        request.cachePolicy = .reloadIgnoringLocalCacheData
        if let etag { request.setValue(etag, forHTTPHeaderField: "If-None-Match") }
        return try await send(request)
    }

    func send(_ request: URLRequest) async throws -> Answer {
        let (data, response) = try await session.data(for: request)
        let http = response as? HTTPURLResponse
        return Answer(status: http?.statusCode ?? 0, body: Array(data), etag: http?.value(forHTTPHeaderField: "ETag"))
    }
}
