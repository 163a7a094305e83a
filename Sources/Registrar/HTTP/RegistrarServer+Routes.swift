import Hummingbird

extension RegistrarServer {
    /// Every route the router serves, as `METHOD /path/{parameter}` (OpenAPI's notation),
    /// sorted: what `Docs/registrar-openapi.yaml` documents (`OpenAPITests` compares them).
    public var routes: [String] {
        router().routes.map { "\($0.method.rawValue) \($0.path.description)" }.sorted()
    }
}
