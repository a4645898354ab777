import Hummingbird

/// Applies the configured request body limit: a declared `Content-Length` past it is refused
/// with 413 before the body is read, and decoding stops at the same limit.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = HavenRequestContext

    let maxBytes: Int

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw APIError(
                .contentTooLarge, code: "request_too_large",
                message: "the request body has \(length) bytes; this server accepts at most \(maxBytes)")
        }
        var context = context
        context.maxUploadSize = maxBytes
        return try await next(request, context)
    }
}
