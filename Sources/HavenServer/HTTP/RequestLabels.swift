import HTTPTypes

/// The labels one HTTP request is counted under in `/metrics`: the route pattern that matched,
/// the method and the status.
///
/// Only bounded values become labels: the route is the pattern the router registered
/// (`/v1/chat/completions`, `/data/**`, `/haven/tokens/{name}`), never the request's path, which
/// would make a series per file name and leak those names to whoever reads the metrics. A request
/// no route matched is `unmatched`; a method outside HTTP's usual set is `other`.
struct RequestLabels: Hashable, Sendable {
    let route: String
    let method: String
    let status: String

    /// The route for a request that matched none.
    static let unmatchedRoute = "unmatched"
    static let knownMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .delete, .patch, .options]

    /// - Parameter endpointPath: what Hummingbird's router recorded for the request
    ///   (`RequestContext.endpointPath`): the matched pattern, `NotFound`, or `nil` when the
    ///   request never reached the router's lookup.
    init(endpointPath: String?, method: HTTPRequest.Method, status: HTTPResponse.Status) {
        self.route = Self.route(endpointPath: endpointPath)
        self.method = Self.knownMethods.contains(method) ? method.rawValue : "other"
        self.status = String(status.code)
    }

    /// The route label for what the router recorded.
    static func route(endpointPath: String?) -> String {
        guard let endpointPath, endpointPath.hasPrefix("/") else { return unmatchedRoute }
        return endpointPath
    }

    /// The labels as swift-metrics dimensions.
    var dimensions: [(String, String)] {
        [("route", route), ("method", method), ("status", status)]
    }
}
