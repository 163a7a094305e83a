import Hummingbird

/// Answers a request that no route serves (an unknown path, or a known path with another
/// method) with the API's own error document rather than Hummingbird's empty 404:
/// `(error (code R013) (message "no endpoint `GET /v1/nonexistent`") (help "..."))`,
/// the help naming every endpoint. Routes answer their own errors, so only the router's
/// "not found" passes through here.
struct UnknownEndpointMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    /// `METHOD /path/{parameter}` of every endpoint, for the help.
    let endpoints: [String]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // The path as the client sent it, cut: it is quoted back.
            var path = request.uri.path
            if path.count > 200 { path = String(path.prefix(200)) + "..." }
            return RegistrarServer.errorResponse(RegistrarError(
                .notFound, "no endpoint `\(request.method.rawValue) \(path)`",
                help: "the endpoints (Docs/registrar.md): " + endpoints.joined(separator: ", ")))
        }
    }
}
