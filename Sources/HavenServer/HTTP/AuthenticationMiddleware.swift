import HTTPTypes
import Hummingbird

/// Requires a caller on every path except the public ones (`/healthz`, `/.well-known/haven`,
/// the web app's page and assets, signing in, the ledger's log under `/ledger/`) and `/exchange/`, where servers authenticate by
/// signing each request (``ExchangeAuthenticationMiddleware``), and records the caller in the
/// request context.
///
/// A caller is a bearer token (or the same token in `x-api-key`, as Anthropic's clients send
/// it) or, for a browser, the session cookie of the web app; the cookie
/// counts only on same-origin requests (``CrossSiteCheck``) and only when no `Authorization`
/// header is sent, so it can never do more than what the signed-in principal may do.
///
/// Under `/data` a capability token is accepted in place of an API token. One that fails
/// verification does not end the request here: it is handed to the data routes as
/// ``HavenRequestContext/rejectedCapability`` so the refusal is decided and audited like any
/// other decision on data.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = HavenRequestContext

    let authenticator: TokenAuthenticator
    let sessions: SessionAuthenticator
    let cookie: SessionCookie
    let publicPaths: Set<String>
    /// Whether the server speaks HTTPS, and its configured public URL: what origins are its own.
    let secure: Bool
    let publicURL: String?

    /// `x-api-key: <token>`, taken as `Authorization: Bearer <token>` when that is absent.
    static let apiKey = HTTPField.Name("x-api-key")!

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if publicPaths.contains(path) || ExchangeController.handles(path) || LedgerController.handles(path)
            || (WebController.handles(path) && (request.method == .get || request.method == .head))
            || (path == SessionController.signInPath && request.method == .post)
        {
            return try await next(request, context)
        }
        var context = context
        // Anthropic's clients send the key as `x-api-key`: the same token, checked the same way.
        let authorization = request.headers[.authorization] ?? request.headers[Self.apiKey].map { "Bearer " + $0 }
        if authorization == nil, let header = request.headers[.cookie], cookie.isPresent(in: header) {
            if let refusal = CrossSiteCheck.refusal(for: request, secure: secure, publicURL: publicURL) {
                throw AuthenticationError.crossSite(refusal)
            }
            guard let key = cookie.key(fromCookieHeader: header) else { throw AuthenticationError.sessionEnded }
            let authentication = try sessions.authenticate(key)
            context.authentication = authentication
            context.logger[metadataKey: "haven.principal"] = "\(authentication.principal)"
            context.logger[metadataKey: "haven.session"] = "\(key.id)"
            return try await next(request, context)
        }
        let isData = DataController.handles(path)
        do {
            let authentication = try authenticator.authenticate(
                authorization: authorization, acceptCapabilities: isData)
            context.authentication = authentication
            context.logger[metadataKey: "haven.principal"] = "\(authentication.principal)"
        } catch {
            guard isData, case .invalidCapability(let id, let reason) = error else { throw error }
            context.rejectedCapability = RejectedCapability(id: id, error: reason)
        }
        return try await next(request, context)
    }
}
