import Hummingbird

/// Counts every request by route, method and status, and times it to the last byte of its
/// response (a streamed answer included), in the server's ``ServerMetrics``.
///
/// It sits outside ``ErrorMiddleware``, so a refusal is counted under the status the client
/// received. The count is taken when the response starts, the duration when its body is written.
struct RequestMetricsMiddleware: RouterMiddleware {
    typealias Context = HavenRequestContext
    let metrics: ServerMetrics

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Only what ErrorMiddleware itself could not render arrives here.
            let labels = RequestLabels(
                endpointPath: context.endpointPath, method: request.method,
                status: ErrorMiddleware.apiError(for: error).status)
            metrics.countRequest(labels)
            metrics.recordDuration(labels, ContinuousClock.now - start)
            throw error
        }
        let labels = RequestLabels(endpointPath: context.endpointPath, method: request.method, status: response.status)
        metrics.countRequest(labels)
        let metrics = metrics
        let body = response.body
        response.body = ResponseBody(contentLength: body.contentLength) { writer in
            defer { metrics.recordDuration(labels, ContinuousClock.now - start) }
            try await body.write(writer)
        }
        return response
    }
}
