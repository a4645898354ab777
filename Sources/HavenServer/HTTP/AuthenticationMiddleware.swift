import Hummingbird

/// Requires a valid bearer token on every path except the public ones (`/healthz`,
/// `/.well-known/haven`) and `/exchange/`, where servers authenticate by signing each request
/// (``ExchangeAuthenticationMiddleware``), and records the caller in the request context.
///
/// Under `/data` a capability token is accepted in place of an API token. One that fails
/// verification does not end the request here: it is handed to the data routes as
/// ``HavenRequestContext/rejectedCapability`` so the refusal is decided and audited like any
/// other decision on data.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = HavenRequestContext

    let authenticator: TokenAuthenticator
    let publicPaths: Set<String>

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if publicPaths.contains(request.uri.path) || ExchangeController.handles(request.uri.path) {
            return try await next(request, context)
        }
        let isData = DataController.handles(request.uri.path)
        var context = context
        do {
            let authentication = try authenticator.authenticate(
                authorization: request.headers[.authorization], acceptCapabilities: isData)
            context.authentication = authentication
            context.logger[metadataKey: "haven.principal"] = "\(authentication.principal)"
        } catch {
            guard isData, case .invalidCapability(let id, let reason) = error else { throw error }
            context.rejectedCapability = RejectedCapability(id: id, error: reason)
        }
        return try await next(request, context)
    }
}
