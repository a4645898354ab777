import Foundation
import HavenInference

extension ChatCompletionRequest {
    /// The request an OpenAI chat body built by another API's translation amounts to (Ollama's
    /// `/api/chat`, Anthropic's `/v1/messages`), decoded as if a client had sent it, so every
    /// API runs through the same ``ChatPlan``.
    ///
    /// - Throws: ``InferenceError/invalidParameter(_:)`` naming the part that does not fit.
    static func translated(from body: JSONValue) throws -> ChatCompletionRequest {
        let data = try JSONEncoder().encode(body)
        do {
            return try JSONDecoder().decode(ChatCompletionRequest.self, from: data)
        } catch let error as DecodingError {
            throw InferenceError.invalidParameter(Self.explain(error))
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().drop { $0 == "." }.description
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context.codingPath)) is not valid: \(context.debugDescription)"
        @unknown default: return "the request is not valid"
        }
    }
}
