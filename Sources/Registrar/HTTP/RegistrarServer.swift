import Hummingbird
import Logging
import NIOCore
import SExpr
import Synchronization

/// The HTTP API (Hummingbird 2 over SwiftNIO): requests in, `RegistrarService` answers
/// out. Every body is an S-expression in advanced form; every refusal is
/// `(error (code R0NN) (message "...") (help "..."))` with the status of its code.
///
/// - `GET /healthz`, `GET /metrics`
/// - `POST /v1/enroll`, `POST /v1/vpxis`, `POST /v1/vpxis/{vpxi}/users`, `POST /v1/vpxis/{vpxi}/users/remove`,
///   `POST /v1/vpxis/{vpxi}/delegations`, `POST /v1/vpxis/{vpxi}/release`: signed requests
/// - `GET /v1/vpxis/{vpxi}`, `GET /v1/vpxis/{vpxi}/chains/{user}`: state, a user's chains (ETag)
/// - `GET /v1/hosts/{host}/bundles` (the index), `GET /v1/hosts/{host}/bundles/{vpxi}`: a host's bundles (ETag both)
public struct RegistrarServer: Sendable {
    public let service: RegistrarService

    public init(service: RegistrarService) {
        self.service = service
    }

    static let sexpType = "text/plain; charset=utf-8"

    /// The router of every endpoint.
    public func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        let service = self.service
        router.add(middleware: UnknownEndpointMiddleware(endpoints: Self.endpoints))
        router.get("/healthz") { _, _ -> Response in
            do {
                _ = try await service.database.read("SELECT 1 AS one", [])
                return Self.text("ok\n", status: .ok)
            } catch {
                return Self.text("database unavailable\n", status: .serviceUnavailable)
            }
        }
        router.get("/metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                     body: .init(byteBuffer: ByteBuffer(string: service.metrics.text())))
        }
        for (path, op) in [("/v1/enroll", "enroll"), ("/v1/vpxis", "create-vpxi"), ("/v1/vpxis/:vpxi/users", "add-user"),
                           ("/v1/vpxis/:vpxi/users/remove", "remove-user"),
                           ("/v1/vpxis/:vpxi/delegations", "delegate"),
                           ("/v1/vpxis/:vpxi/release", "release-vpxi")] {
            router.post(RouterPath(path)) { request, context -> Response in
                await Self.measure(service) {
                    let body = try await Self.body(request, limit: service.configuration.sizeLimit)
                    let answer = try await service.handle(body, expecting: op, vpxi: context.parameters.get("vpxi"))
                    return Self.sexp(answer, status: op == "create-vpxi" ? .created : .ok)
                }
            }
        }
        router.get("/v1/vpxis/:vpxi") { _, context -> Response in
            await Self.measure(service) { Self.sexp(try await service.status(vpxi: try Self.parameter(context, "vpxi")), status: .ok) }
        }
        router.get("/v1/vpxis/:vpxi/chains/:user") { request, context -> Response in
            await Self.measure(service) {
                let pulled = try await service.chains(vpxi: try Self.parameter(context, "vpxi"), user: try Self.parameter(context, "user"),
                                                      ifNoneMatch: request.headers[.ifNoneMatch])
                return Self.pulled(pulled, type: Self.sexpType)
            }
        }
        router.get("/v1/hosts/:host/bundles") { request, context -> Response in
            await Self.measure(service) {
                let pulled = try await service.bundleIndex(host: try Self.parameter(context, "host"), ifNoneMatch: request.headers[.ifNoneMatch])
                return Self.pulled(pulled, type: Self.sexpType)
            }
        }
        router.get("/v1/hosts/:host/bundles/:vpxi") { request, context -> Response in
            await Self.measure(service) {
                let pulled = try await service.bundle(host: try Self.parameter(context, "host"), vpxi: try Self.parameter(context, "vpxi"),
                                                      ifNoneMatch: request.headers[.ifNoneMatch])
                return Self.pulled(pulled, type: "application/octet-stream")
            }
        }
        return router
    }

    /// Every endpoint, as the help of an unknown one lists them (`routes` is the router's
    /// own list; `OpenAPITests` checks the two agree).
    static let endpoints = [
        "POST /v1/enroll", "POST /v1/vpxis", "GET /v1/vpxis/{vpxi}", "POST /v1/vpxis/{vpxi}/users",
        "POST /v1/vpxis/{vpxi}/users/remove", "POST /v1/vpxis/{vpxi}/delegations", "POST /v1/vpxis/{vpxi}/release", "GET /v1/vpxis/{vpxi}/chains/{user}",
        "GET /v1/hosts/{host}/bundles", "GET /v1/hosts/{host}/bundles/{vpxi}", "GET /healthz", "GET /metrics",
    ]

    /// Runs `body`, answering a `RegistrarError` (or any other error, as internal) as an
    /// error document, and counting the request.
    static func measure(_ service: RegistrarService, _ body: () async throws -> Response) async -> Response {
        let start = ContinuousClock.now
        defer { service.metrics.answered(duration: ContinuousClock.now - start) }
        do {
            return try await body()
        } catch let error as RegistrarError {
            service.metrics.refused(error.code)
            return errorResponse(error)
        } catch {
            let wrapped = RegistrarError(.internal, "unexpected failure: \(error)", help: "this is a bug in vpxi-registrar; report it with the registrar's log")
            service.metrics.refused(.internal)
            return errorResponse(wrapped)
        }
    }

    static func errorResponse(_ error: RegistrarError) -> Response {
        var items: [SExpr] = ["error", ["code", .string(error.code.rawValue)], ["message", .string(error.message)]]
        if let help = error.help { items.append(["help", .string(help)]) }
        return sexp(.list(items), status: HTTPResponse.Status(code: error.status))
    }

    static func body(_ request: Request, limit: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw RegistrarError(.tooLarge, "the request is \(length) bytes, over the limit of \(limit)", help: "split the request, or raise --max-request-bytes")
        }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch {
            throw RegistrarError(.tooLarge, "the request is over the limit of \(limit) bytes", help: "split the request, or raise --max-request-bytes")
        }
    }

    static func parameter(_ context: BasicRequestContext, _ name: String) throws(RegistrarError) -> String {
        guard let value = context.parameters.get(name), !value.isEmpty else { throw RegistrarError(.malformed, "missing `\(name)` in the path") }
        return value
    }

    static func pulled(_ pulled: RegistrarService.Pulled, type: String) -> Response {
        guard let body = pulled.body else {
            return Response(status: .notModified, headers: [.eTag: pulled.etag])
        }
        return Response(status: .ok, headers: [.contentType: type, .eTag: pulled.etag, .cacheControl: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func sexp(_ value: SExpr, status: HTTPResponse.Status) -> Response {
        text(value.advanced() + "\n", status: status)
    }

    static func text(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: sexpType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Serves until SIGTERM or SIGINT (graceful shutdown: requests in flight finish), with
    /// the renewal loop beside it. `onRunning` receives the bound port.
    public func run(host: String, port: Int, renewalInterval: Duration = .seconds(5), logger: Logger,
                    onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let listening = ListeningFlag()
        let app = Application(router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "vpxi-registrar"),
                              onServerRunning: { channel in
                                  listening.set()
                                  await onRunning(channel.localAddress?.port ?? port)
                              }, logger: logger)
        let service = self.service
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    try await app.runService()
                } catch where !listening.isSet {
                    // Before the server listens, a failure is the address: unknown, in
                    // use, or a port this user may not bind.
                    throw RegistrarError(.listen, "cannot listen on \(host):\(port): \(error)",
                                         help: "give --listen HOST:PORT an address of this machine and a free port (for example 127.0.0.1:8440); ports below 1024 need privileges")
                }
            }
            group.addTask { await service.followChanges() }
            group.addTask {
                while !Task.isCancelled {
                    do {
                        try await service.renewDue()
                        try await service.signPending()
                        try await service.buildCrossingBundles()
                        try await service.pruneNonces()
                    } catch where !Task.isCancelled {
                        logger.error("background work failed: \(error)")
                    } catch {
                        break  // shutting down
                    }
                    try? await Task.sleep(for: renewalInterval)
                }
            }
            // The server ends on a signal; the renewal loop then stops.
            try await group.next()
            group.cancelAll()
        }
    }
}

/// Whether the server has started listening (set once, from the server's task).
private final class ListeningFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
