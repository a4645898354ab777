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
///
/// Every refusal here (and a failed sign-in) is handed to ``AuthenticationFailures``, which
/// counts, logs and throttles by client address; a throttled client is answered 429 before its
/// credentials are looked at.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = HavenRequestContext

    let authenticator: TokenAuthenticator
    let sessions: SessionAuthenticator
    let cookie: SessionCookie
    let publicPaths: Set<String>
    /// Whether the server speaks HTTPS, and its configured public URL: what origins are its own.
    let secure: Bool
    let publicURL: String?
    let failures: AuthenticationFailures

    /// `x-api-key: <token>`, taken as `Authorization: Bearer <token>` when that is absent.
    static let apiKey = HTTPField.Name("x-api-key")!

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if publicPaths.contains(path) || ExchangeController.handles(path) || LedgerController.handles(path)
            || (WebController.handles(path) && (request.method == .get || request.method == .head))
        {
            return try await next(request, context)
        }
        // Before any credential is looked at, so a throttled client learns nothing from its guesses.
        if let refusal = await failures.refusal(for: context.clientAddress) { throw refusal }
        if path == SessionController.signInPath && request.method == .post {
            return try await signIn(request, context: context, next: next)
        }
        var context = context
        // Anthropic's clients send the key as `x-api-key`: the same token, checked the same way.
        let authorization = request.headers[.authorization] ?? request.headers[Self.apiKey].map { "Bearer " + $0 }
        if authorization == nil, let header = request.headers[.cookie], cookie.isPresent(in: header) {
            let key = cookie.key(fromCookieHeader: header)
            let authentication: Authentication
            do throws(AuthenticationError) {
                if let refusal = CrossSiteCheck.refusal(for: request, secure: secure, publicURL: publicURL) {
                    throw .crossSite(refusal)
                }
                guard let key else { throw .sessionEnded }
                authentication = try sessions.authenticate(key)
            } catch {
                await record(error, credential: key?.id, request: request, context: context)
                throw error
            }
            context.authentication = authentication
            context.logger[metadataKey: "haven.principal"] = "\(authentication.principal)"
            context.logger[metadataKey: "haven.session"] = "\(authentication.sessionID ?? "")"
            return try await next(request, context)
        }
        let isData = DataController.handles(path)
        do {
            let authentication = try authenticator.authenticate(
                authorization: authorization, acceptCapabilities: isData)
            context.authentication = authentication
            context.logger[metadataKey: "haven.principal"] = "\(authentication.principal)"
        } catch {
            let credential = AuthenticationFailure.credential(inAuthorization: authorization, fingerprint: failures.fingerprint)
            await record(error, credential: credential, request: request, context: context)
            guard isData, case .invalidCapability(let id, let reason) = error else { throw error }
            context.rejectedCapability = RejectedCapability(id: id, error: reason)
        }
        return try await next(request, context)
    }

    /// `POST /haven/session`: public, but a token or login code that fails there is a failure
    /// like any other.
    private func signIn(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AuthenticationError {
            await record(error, credential: nil, request: request, context: context)
            throw error
        } catch SessionError.invalidLoginCode {
            await failures.record(
                AuthenticationFailure(kind: .loginCode, client: context.clientAddress), path: request.uri.path,
                logger: context.logger)
            throw SessionError.invalidLoginCode
        }
    }

    private func record(_ error: AuthenticationError, credential: String?, request: Request, context: Context) async {
        guard let kind = AuthenticationFailure.kind(of: error) else { return }
        await failures.record(
            AuthenticationFailure(kind: kind, client: context.clientAddress, credential: kind == .missing ? nil : credential),
            path: request.uri.path, logger: context.logger)
    }
}
