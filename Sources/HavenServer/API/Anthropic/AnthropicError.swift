import Hummingbird

/// An error as Anthropic's clients parse it:
/// `{"type": "error", "error": {"type": "invalid_request_error", "message": …}}`, with the
/// same status, message and headers as Haven's own error shape (``APIError``).
struct AnthropicError: Encodable, Sendable {
    struct Detail: Encodable, Sendable {
        let type: String
        let message: String
    }
    var type = "error"
    let error: Detail

    init(_ error: APIError) {
        self.error = Detail(type: Self.type(for: error.status), message: error.message)
    }

    /// Anthropic's error types by status.
    static func type(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 503, 529: "overloaded_error"
        case 400..<500: "invalid_request_error"
        default: "api_error"
        }
    }
}
