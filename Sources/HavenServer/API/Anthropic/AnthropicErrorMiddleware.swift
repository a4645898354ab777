import Hummingbird

/// Answers every error under `/v1/messages` in Anthropic's shape (``AnthropicError``),
/// authentication failures included: it sits outside the authentication middleware.
struct AnthropicErrorMiddleware: RouterMiddleware {
    typealias Context = HavenRequestContext

    static func handles(_ path: String) -> Bool {
        path == "/v1/messages" || path.hasPrefix("/v1/messages/")
    }

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard Self.handles(request.uri.path) else { return try await next(request, context) }
        do {
            return try await next(request, context)
        } catch {
            let apiError = ErrorMiddleware.apiError(for: error)
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            var response = try context.responseEncoder.encode(AnthropicError(apiError), from: request, context: context)
            response.status = apiError.status
            response.headers.append(contentsOf: apiError.headers)
            return response
        }
    }
}
