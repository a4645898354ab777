import Hummingbird

/// An error as clients see it: an HTTP status and the JSON body OpenAI's clients parse,
/// `{"error": {"message": …, "type": …, "code": …}}`.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    /// Broad class, as OpenAI names them: `invalid_request_error`, `authentication_error`, …
    public var type: String
    /// Machine-readable reason, stable across releases.
    public var code: String
    /// One sentence a person can act on.
    public var message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, type: String? = nil, code: String, message: String) {
        self.status = status
        self.type = type ?? Self.type(for: status)
        self.code = code
        self.message = message
    }

    static func type(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 409: "conflict_error"
        case 429: "rate_limit_error"
        case 400..<500: "invalid_request_error"
        default: "server_error"
        }
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            let message: String
            let type: String
            let code: String
        }
        let error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try context.responseEncoder.encode(
            Body(error: .init(message: message, type: type, code: code)), from: request, context: context)
        response.status = status
        response.headers.append(contentsOf: headers)
        return response
    }
}

/// A domain error that knows how it is shown over HTTP. The mapping lives here, at the edge,
/// so lower targets stay free of HTTP.
public protocol APIErrorConvertible: Error {
    var apiError: APIError { get }
}
