import Hummingbird

/// Why an upstream could not answer, named so the owner can act; never carries its key.
enum UpstreamError: Error, Sendable, Equatable {
    /// No connection could be made (or it broke before an answer).
    case unreachable(upstream: String, reason: String)
    /// No bytes came within the upstream's `timeout`.
    case timedOut(upstream: String, seconds: Int)
    /// The upstream answered 429; `retryAfter` in seconds, as it said or Haven's guess.
    case rateLimited(upstream: String, retryAfter: Int)
    /// The upstream refused the request as bad (4xx other than 401, 403, 429): its message.
    case rejected(upstream: String, status: Int, message: String)
    /// The upstream refused Haven's key (401 or 403).
    case keyRefused(upstream: String, status: Int)
    /// The upstream failed (5xx), or answered in a shape Haven cannot read.
    case failed(upstream: String, reason: String)
    /// Every upstream of the model failed; the last one's error.
    case allFailed(model: String, last: String)

    /// A stream that is not OpenAI's chat completion stream.
    struct Malformed: Error, Sendable, Equatable {
        let reason: String
    }

    /// Whether another upstream of the same model may answer instead.
    var triesNext: Bool {
        switch self {
        case .unreachable, .timedOut, .failed, .keyRefused, .rateLimited: true
        case .rejected, .allFailed: false
        }
    }
}

extension UpstreamError: CustomStringConvertible {
    var description: String {
        switch self {
        case .unreachable(let upstream, let reason): "upstream '\(upstream)' cannot be reached (\(reason))"
        case .timedOut(let upstream, let seconds): "upstream '\(upstream)' sent nothing for \(seconds) s"
        case .rateLimited(let upstream, let seconds): "upstream '\(upstream)' is busy; try again in \(seconds) s"
        case .rejected(let upstream, let status, let message): "upstream '\(upstream)' refused the request (\(status)): \(message)"
        case .keyRefused(let upstream, let status):
            "upstream '\(upstream)' refused Haven's API key (\(status)); the owner should check its api_key_file"
        case .failed(let upstream, let reason): "upstream '\(upstream)' failed: \(reason)"
        case .allFailed(let model, let last): "no upstream of model '\(model)' could answer; the last: \(last)"
        }
    }
}

extension UpstreamError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .unreachable, .allFailed:
            return APIError(.badGateway, code: "upstream_unavailable", message: description)
        case .timedOut:
            return APIError(.gatewayTimeout, code: "upstream_timeout", message: description)
        case .rateLimited(_, let seconds):
            var error = APIError(.tooManyRequests, code: "server_busy", message: description)
            error.headers[.retryAfter] = String(seconds)
            return error
        case .rejected(_, let status, _):
            return APIError(status == 404 ? .notFound : .badRequest, code: status == 404 ? "model_not_found" : "invalid_request", message: description)
        case .keyRefused, .failed:
            return APIError(.badGateway, code: "upstream_failed", message: description)
        }
    }
}
