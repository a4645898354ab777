import Foundation
import HavenInference
import Hummingbird

/// The OpenAI-compatible API under `/v1`: models and chat completions, streamed as server-sent
/// events or answered whole.
struct OpenAIController {
    let service: InferenceService

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get("models", use: listModels)
        group.get("models/:id", use: showModel)
        group.post("chat/completions", use: chatCompletions)
    }

    @Sendable func listModels(_ request: Request, context: HavenRequestContext) async throws -> ModelList {
        _ = try context.requireAuthentication()
        return ModelList(data: try service.catalog.models().map(Self.describe))
    }

    @Sendable func showModel(_ request: Request, context: HavenRequestContext) async throws -> ModelList.Model {
        _ = try context.requireAuthentication()
        let id = try context.parameters.require("id")
        guard let record = try service.catalog.model(named: id) else { throw InferenceError.modelNotFound(id) }
        return Self.describe(record)
    }

    static func describe(_ record: ModelRecord) -> ModelList.Model {
        ModelList.Model(id: record.name, created: Int(record.addedAt.timeIntervalSince1970), ownedBy: "haven")
    }

    @Sendable func chatCompletions(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: ChatCompletionRequest.self, context: context)
        if let n = body.n, n != 1 { throw InferenceError.invalidParameter("only n = 1 is supported") }
        if let tools = body.tools, !tools.isEmpty { throw InferenceError.invalidParameter("tools are not supported yet") }
        if let format = body.responseFormat, format.type != "text" {
            throw InferenceError.invalidParameter("response_format '\(format.type)' is not supported yet")
        }
        let engine = try await service.engine(for: body.model, caller: caller)
        let prompt = try service.chatPrompt(body.messages.map { ($0.role, $0.content?.text ?? "") }, engine: engine)
        let generation = GenerationRequest(
            prompt: prompt, sampling: try Self.sampling(body),
            maxTokens: body.maxCompletionTokens ?? body.maxTokens, stop: body.stop?.values ?? [])
        let events = try await engine.generate(generation)
        let id = InferenceService.completionID(prefix: "chatcmpl")
        let created = InferenceService.now

        guard body.stream == true else {
            var text = ""
            var summary: GenerationSummary?
            for try await event in events {
                switch event {
                case .text(let piece): text += piece
                case .finished(let final): summary = final
                }
            }
            guard let summary else { throw InferenceError.decodeFailed(status: -1) }
            let answer = ChatCompletionResponse(
                id: id, created: created, model: body.model,
                choices: [.init(index: 0, message: ChatMessage(role: "assistant", content: text), finishReason: summary.finishReason.rawValue)],
                usage: Self.usage(summary))
            return try answer.response(from: request, context: context)
        }

        let includeUsage = body.streamOptions?.includeUsage == true
        let model = body.model
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            func send(_ chunk: ChatCompletionChunk) async throws {
                let json = try encoder.encode(chunk)
                try await writer.write(ByteBuffer(string: "data: " + String(decoding: json, as: UTF8.self) + "\n\n"))
            }
            var chunk = ChatCompletionChunk(
                id: id, created: created, model: model,
                choices: [.init(index: 0, delta: .init(role: "assistant", content: ""), finishReason: nil)])
            try await send(chunk)
            for try await event in events {
                switch event {
                case .text(let piece):
                    chunk.choices = [.init(index: 0, delta: .init(content: piece), finishReason: nil)]
                    try await send(chunk)
                case .finished(let summary):
                    chunk.choices = [.init(index: 0, delta: .init(), finishReason: summary.finishReason.rawValue)]
                    try await send(chunk)
                    if includeUsage {
                        chunk.choices = []
                        chunk.usage = Self.usage(summary)
                        try await send(chunk)
                    }
                }
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        })
    }

    static func usage(_ summary: GenerationSummary) -> CompletionUsage {
        CompletionUsage(
            promptTokens: summary.promptTokens, completionTokens: summary.completionTokens,
            totalTokens: summary.promptTokens + summary.completionTokens,
            promptTokensDetails: .init(cachedTokens: summary.cachedPromptTokens))
    }

    static func sampling(_ body: ChatCompletionRequest) throws -> SamplingParameters {
        var sampling = SamplingParameters()
        if let value = body.temperature {
            guard (0...2).contains(value) else { throw InferenceError.invalidParameter("temperature must be from 0 to 2") }
            sampling.temperature = value
        }
        if let value = body.topP {
            guard value > 0, value <= 1 else { throw InferenceError.invalidParameter("top_p must be in (0, 1]") }
            sampling.topP = value
        }
        if let value = body.topK { sampling.topK = max(0, value) }
        if let value = body.minP { sampling.minP = value }
        if let value = body.seed { sampling.seed = UInt32(truncatingIfNeeded: value) }
        if let value = body.presencePenalty { sampling.presencePenalty = value }
        if let value = body.frequencyPenalty { sampling.frequencyPenalty = value }
        if let value = body.repeatPenalty { sampling.repeatPenalty = value }
        return sampling
    }
}
