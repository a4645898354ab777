import Hummingbird

/// Renders every error as an ``APIError`` body, so clients always get JSON they can parse and
/// never an internal description. Unexpected errors are logged in full and shown as a 500.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = HavenRequestContext

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error)
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            return try apiError.response(from: request, context: context)
        }
    }

    static func apiError(for error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as any APIErrorConvertible:
            return error.apiError
        case let error as HTTPError:
            var apiError = APIError(
                error.status, code: code(for: error.status),
                message: error.body ?? defaultMessage(for: error.status))
            apiError.headers = error.headers
            return apiError
        case let error as any HTTPResponseError:
            return APIError(error.status, code: code(for: error.status), message: defaultMessage(for: error.status))
        default:
            return APIError(.internalServerError, code: "internal_error", message: "the server failed to handle the request")
        }
    }

    static func code(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "bad_request"
        case 404: "not_found"
        case 405: "method_not_allowed"
        case 413: "request_too_large"
        default: "http_\(status.code)"
        }
    }

    static func defaultMessage(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "no such endpoint"
        case 413: "the request body is larger than this server accepts"
        default: status.reasonPhrase
        }
    }
}
