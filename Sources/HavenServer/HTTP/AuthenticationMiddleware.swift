import Hummingbird

/// Requires a valid bearer token on every path except the public ones (`/healthz`), and
/// records the caller in the request context.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = HavenRequestContext

    let authenticator: TokenAuthenticator
    let publicPaths: Set<String>

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if publicPaths.contains(request.uri.path) {
            return try await next(request, context)
        }
        let authentication = try authenticator.authenticate(authorization: request.headers[.authorization])
        var context = context
        context.authentication = authentication
        context.logger[metadataKey: "haven.principal"] = "\(authentication.principal)"
        return try await next(request, context)
    }
}
