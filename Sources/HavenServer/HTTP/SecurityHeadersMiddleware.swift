import Hummingbird

/// Adds the headers that keep a browser from misusing any response: no MIME sniffing, no
/// referrer leaving the server, no framing, and, unless a route set its own policy (the web
/// app does), a Content-Security-Policy that lets nothing run — so a stored HTML file opened
/// from `/data` is shown inert, never as a page of this origin.
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = HavenRequestContext

    /// For every response that is not the web app itself.
    static let lockedDown = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.referrerPolicy] = "no-referrer"
        response.headers[.xFrameOptions] = "DENY"
        if response.headers[.crossOriginResourcePolicy] == nil {
            response.headers[.crossOriginResourcePolicy] = "same-origin"
        }
        if response.headers[.contentSecurityPolicy] == nil {
            response.headers[.contentSecurityPolicy] = Self.lockedDown
        }
        return response
    }
}
