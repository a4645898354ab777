import Hummingbird

/// `GET /openapi.json`: the OpenAPI 3.1 document of Haven's own API (`/haven/`, `/data`,
/// `/exchange/v1/`, `/ledger/`), public like `/healthz`.
///
/// The document is `web/openapi.json`, compiled into the binary with the web app and served
/// the same way (``WebController/serve(_:request:includeBody:)``): a strong ETag, so a
/// revalidation costs a 304, and gzip when the client takes it. `OpenAPIDocumentTests` keeps
/// it in step with the router.
struct OpenAPIController {
    static let path = "/openapi.json"
    /// The document's path among the web app's files.
    static let asset = "openapi.json"

    let web: WebController

    func addRoutes(to router: Router<HavenRequestContext>) {
        router.get(RouterPath(Self.path)) { request, _ in try web.serve(Self.asset, request: request) }
    }
}
