import Hummingbird

/// Applies the configured request body limits: a declared `Content-Length` past the limit is
/// refused with 413 before the body is read. JSON requests are limited by
/// `limits.max_request_body` (decoding stops there too); file uploads under `/data` by
/// `limits.max_upload`, which the data routes also enforce while streaming.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = HavenRequestContext

    let maxBytes: Int
    let maxUploadBytes: Int

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let isUpload = DataController.handles(request.uri.path)
        let limit = isUpload ? maxUploadBytes : maxBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(
                .contentTooLarge, code: "request_too_large",
                message: "the request body has \(length) bytes; this server accepts at most \(limit)"
                    + (isUpload ? " per file (limits.max_upload)" : " (limits.max_request_body)"))
        }
        var context = context
        context.maxUploadSize = maxBytes
        return try await next(request, context)
    }
}
