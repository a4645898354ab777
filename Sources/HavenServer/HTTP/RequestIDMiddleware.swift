import HTTPTypes
import Hummingbird

/// Returns the request id that appears in the server's logs as `X-Request-Id`, so a user can
/// find the log lines of a failed request.
struct RequestIDMiddleware: RouterMiddleware {
    typealias Context = HavenRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.requestID] = context.id
        return response
    }
}

extension HTTPField.Name {
    static let requestID = Self("X-Request-Id")!
}
