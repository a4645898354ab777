import Foundation
import HavenIdentity
import HavenStore
import Hummingbird

/// Signing in to the web app and the sessions that result.
///
/// - `POST /haven/session` signs in with an API token or a login link's code and sets the
///   session cookie; `GET` describes the current session; `DELETE` signs out.
/// - `GET /haven/sessions` lists active sessions (the owner's view: all of them; anyone
///   else's: their own); `DELETE /haven/sessions/{id}` revokes one.
/// - `POST /haven/login-links` makes a one-time link that signs a browser in as the caller
///   (`haven open` prints it).
struct SessionController {
    let catalog: Catalog
    let tokens: TokenAuthenticator
    let configuration: Configuration
    let cookie: SessionCookie
    /// How long a login link works.
    static let loginLinkLifetime: TimeInterval = 600
    static let signInPath = "/haven/session"

    init(environment: ServerEnvironment) {
        catalog = environment.catalog
        tokens = TokenAuthenticator(catalog: environment.catalog, owner: environment.owner)
        configuration = environment.configuration
        cookie = SessionCookie(owner: environment.owner)
    }

    var secure: Bool { configuration.tlsCertificate != nil }

    func addRoutes(session: RouterGroup<HavenRequestContext>, sessions: RouterGroup<HavenRequestContext>, loginLinks: RouterGroup<HavenRequestContext>) {
        session.post(use: signIn)
        session.get { _, context in
            let caller = try context.requireAuthentication()
            guard let id = caller.sessionID, let stored = try catalog.storedSession(id: id) else {
                throw APIError(
                    .notFound, code: "no_session",
                    message: "this request was not made in a web session; sign in at / to have one")
            }
            return stored.session
        }
        session.delete { _, context in
            let caller = try context.requireAuthentication()
            guard let id = caller.sessionID else {
                throw APIError(.notFound, code: "no_session", message: "this request was not made in a web session")
            }
            try catalog.revokeSession(id: id, by: caller.principal, at: Date())
            context.logger.info("signed out", metadata: ["session.id": "\(id)"])
            return signedOut()
        }
        sessions.get { _, context in
            let caller = try context.requireAuthentication()
            let active = try catalog.activeSessions(of: caller.principal == .owner ? nil : caller.principal, at: Date())
            return SessionList(sessions: active.map { .init(session: $0, current: $0.id == caller.sessionID) })
        }
        sessions.delete(":id") { _, context in
            let caller = try context.requireAuthentication()
            let id = try context.parameters.require("id")
            try catalog.revokeSession(id: id, by: caller.principal, at: Date())
            context.logger.info("session revoked", metadata: ["session.id": "\(id)"])
            return id == caller.sessionID ? signedOut() : Response(status: .noContent)
        }
        loginLinks.post { request, context in
            let caller = try context.requireAuthentication()
            guard let tokenID = caller.tokenID else {
                throw APIError(
                    .forbidden, code: "api_token_required", message: "login links are made with an API token, not a capability")
            }
            let code = LoginCode.generate()
            let expiresAt = Date().addingTimeInterval(Self.loginLinkLifetime)
            try catalog.createLoginCode(
                code, for: SessionOrigin(principal: caller.principal, tokenID: tokenID, tokenName: caller.tokenName),
                expiresAt: expiresAt)
            let base = configuration.publicURL
                ?? CrossSiteCheck.origins(host: request.head.authority, secure: secure, publicURL: nil).first
                ?? configuration.effectivePublicURL
            return EditedResponse(
                status: .created, response: LoginLinkResponse(url: "\(base)/#login=\(code.text)", code: code.text, expiresAt: expiresAt))
        }
    }

    @Sendable func signIn(_ request: Request, context: HavenRequestContext) async throws -> Response {
        // Signing in is state-changing too: a page elsewhere must not sign a browser in to an
        // account of its choosing.
        if let refusal = CrossSiteCheck.refusal(for: request, secure: secure, publicURL: configuration.publicURL) {
            throw AuthenticationError.crossSite(refusal)
        }
        let body = try await request.decode(as: SignInRequest.self, context: context)
        let origin: SessionOrigin
        switch (body.token, body.code) {
        case (let token?, nil):
            let authentication = try tokens.authenticate(authorization: "Bearer \(token)")
            guard let tokenID = authentication.tokenID else { throw AuthenticationError.invalidToken }
            origin = SessionOrigin(principal: authentication.principal, tokenID: tokenID, tokenName: authentication.tokenName)
        case (nil, let text?):
            guard let code = LoginCode(parsing: text) else { throw SessionError.invalidLoginCode }
            origin = try catalog.redeemLoginCode(code, at: Date())
            // The token behind the link may have been revoked since it was made.
            guard let token = try catalog.storedToken(id: origin.tokenID), !token.info.isRevoked else {
                throw AuthenticationError.revokedToken
            }
        default:
            throw APIError(
                .badRequest, code: "invalid_request", message: "send either {\"token\": \"hvn_…\"} or {\"code\": \"…\"}")
        }
        let key = SessionKey.generate()
        let session = try catalog.createSession(
            key, for: origin, idleTimeout: configuration.sessionIdleTimeout, lifetime: configuration.sessionLifetime,
            userAgent: request.headers[.userAgent], at: Date())
        context.logger.info(
            "signed in", metadata: ["session.id": "\(session.id)", "principal": "\(session.principal)", "token.name": "\(session.token)"])
        var response = try context.responseEncoder.encode(session, from: request, context: context)
        response.status = .created
        response.headers[.setCookie] = cookie.set(key, maxAge: configuration.sessionLifetime, secure: secure)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    func signedOut() -> Response {
        Response(status: .noContent, headers: [.setCookie: cookie.clear(secure: secure)])
    }
}
