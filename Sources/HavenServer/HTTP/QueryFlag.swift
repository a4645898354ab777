import Hummingbird

/// A yes-or-no query parameter such as `?all=true`, as the OpenAPI document gives it: `true`
/// or `1` for yes, `false`, `0` or no parameter for no. Anything else is a 400 naming the
/// parameter, not a silent no (schemathesis found `?all=AAA` answered as if absent).
enum QueryFlag {
    static func value(_ name: String, in request: Request) throws(APIError) -> Bool {
        guard let text = request.uri.queryParameters[Substring(name)] else { return false }
        switch text {
        case "true", "1": return true
        case "false", "0": return false
        default:
            throw APIError(
                .badRequest, code: "invalid_request", message: "\(name) takes true or false (or 1 or 0), not '\(text)'")
        }
    }
}
