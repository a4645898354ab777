import Foundation
import HavenInference
import HavenStore
import Hummingbird

/// Applies the system prompt and defaults of a model made with `/api/create` to OpenAI
/// requests for it (`/v1/chat/completions`, `/v1/completions`, `/v1/responses`), before the OpenAI routes read
/// the body, so such a model behaves the same on every API. Requests for other models, and
/// every request while no such model exists, pass untouched.
struct ModelDefaultsMiddleware: RouterMiddleware {
    typealias Context = HavenRequestContext

    let catalog: Catalog

    static let paths: Set<String> = ["/v1/chat/completions", "/v1/completions", Self.responses]
    static let responses = "/v1/responses"

    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard request.method == .post, Self.paths.contains(request.uri.path), context.authentication != nil,
            try catalog.hasModelProfiles()
        else {
            return try await next(request, context)
        }
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard let body = try? JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView)),
            let model = body["model"]?.stringValue,
            let profile = try catalog.modelProfile(of: model)
        else {
            return try await next(request, context)
        }
        let applied =
            request.uri.path == Self.responses
            ? profile.applied(toResponsesRequest: body) : profile.applied(toOpenAIRequest: body)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        request.body = RequestBody(buffer: ByteBuffer(bytes: try encoder.encode(applied)))
        return try await next(request, context)
    }
}
