import Foundation
import HavenInference
import Hummingbird

/// The OpenAI-compatible API under `/v1`: models and chat completions, streamed as server-sent
/// events or answered whole.
struct OpenAIController {
    let service: InferenceService
    let agents: AgentService

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get("models", use: listModels)
        group.get("models/:id", use: showModel)
        group.post("chat/completions", use: chatCompletions)
        group.post("completions", use: completions)
        group.post("embeddings", use: embeddings)
    }

    @Sendable func listModels(_ request: Request, context: HavenRequestContext) async throws -> ModelList {
        let caller = try context.requireAuthentication()
        let visible = try service.models(visibleTo: caller)
        // An agent is listed when the caller may use its model, as it must to run it.
        let first = try service.catalog.models().first?.name
        let agents = try self.agents.environment.agents.all().agents.filter { agent in
            visible.contains { $0.name == (agent.model ?? first) }
        }.map { ModelList.Model(id: Self.agentPrefix + $0.name, created: 0, ownedBy: "haven") }
        return ModelList(data: visible.map(Self.describe) + agents)
    }

    @Sendable func showModel(_ request: Request, context: HavenRequestContext) async throws -> ModelList.Model {
        let caller = try context.requireAuthentication()
        let id = try context.parameters.require("id")
        guard let record = try service.models(visibleTo: caller).first(where: { $0.name == id }) else {
            throw InferenceError.modelNotFound(id)
        }
        return Self.describe(record)
    }

    static func describe(_ record: ModelRecord) -> ModelList.Model {
        ModelList.Model(id: record.name, created: Int(record.addedAt.timeIntervalSince1970), ownedBy: "haven")
    }

    @Sendable func chatCompletions(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: ChatCompletionRequest.self, context: context)
        if let n = body.n, n != 1 { throw InferenceError.invalidParameter("only n = 1 is supported") }
        if body.model.hasPrefix(Self.agentPrefix) {
            return try await agentCompletion(body, request: request, context: context, caller: caller)
        }
        let plan = try ChatPlan(body)
        var sampling = try Self.sampling(body)
        sampling.grammar = plan.grammar
        sampling.grammarTriggers = plan.grammarTriggers
        let engine = try await service.engine(for: body.model, caller: caller)
        let prompt = try service.chatPrompt(plan.messages, engine: engine)
        let generation = GenerationRequest(
            prompt: prompt, sampling: sampling,
            maxTokens: body.maxCompletionTokens ?? body.maxTokens, stop: body.stop?.values ?? [])
        let events = try await engine.generate(generation)
        let id = InferenceService.completionID(prefix: "chatcmpl")
        let created = InferenceService.now

        guard body.stream == true else {
            let (text, summary) = try await events.collect()
            let (message, toolReason) = plan.answer(from: text)
            let answer = ChatCompletionResponse(
                id: id, created: created, model: body.model,
                choices: [.init(index: 0, message: message, finishReason: toolReason ?? summary.finishReason.rawValue)],
                usage: Self.usage(summary))
            return try answer.response(from: request, context: context)
        }

        let includeUsage = body.streamOptions?.includeUsage == true
        let model = body.model
        // With tools on offer, the answer is held until it is known to be text or calls.
        let holdForTools = !plan.tools.isEmpty
        return ServerSentEvents.response { sender, writer in
            var chunk = ChatCompletionChunk(
                id: id, created: created, model: model,
                choices: [.init(index: 0, delta: .init(role: "assistant", content: ""), finishReason: nil)])
            try await writer.write(sender.data(chunk))
            var held = ""
            for try await event in events {
                switch event {
                case .text(let piece):
                    if holdForTools {
                        held += piece
                        continue
                    }
                    chunk.choices = [.init(index: 0, delta: .init(content: piece), finishReason: nil)]
                    try await writer.write(sender.data(chunk))
                case .finished(let summary):
                    var finishReason = summary.finishReason.rawValue
                    if holdForTools {
                        let (message, toolReason) = plan.answer(from: held)
                        var delta = ChatCompletionChunk.Delta(content: message.content)
                        delta.toolCalls = message.toolCalls?.enumerated().map { index, call in
                            var call = call
                            call.index = index
                            return call
                        }
                        chunk.choices = [.init(index: 0, delta: delta, finishReason: nil)]
                        try await writer.write(sender.data(chunk))
                        finishReason = toolReason ?? finishReason
                    }
                    chunk.choices = [.init(index: 0, delta: .init(), finishReason: finishReason)]
                    try await writer.write(sender.data(chunk))
                    if includeUsage {
                        chunk.choices = []
                        chunk.usage = Self.usage(summary)
                        try await writer.write(sender.data(chunk))
                    }
                }
            }
        }
    }

    @Sendable func completions(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: CompletionRequest.self, context: context)
        guard body.prompt.values.count == 1, let text = body.prompt.values.first else {
            throw InferenceError.invalidParameter("give exactly one prompt")
        }
        let engine = try await service.engine(for: body.model, caller: caller)
        let sampling = try InferenceService.sampling(
            temperature: body.temperature, topP: body.topP, topK: body.topK, minP: body.minP, seed: body.seed,
            presencePenalty: body.presencePenalty, frequencyPenalty: body.frequencyPenalty, repeatPenalty: body.repeatPenalty)
        let events = try await engine.generate(
            GenerationRequest(
                prompt: engine.tokenize(text), sampling: sampling, maxTokens: body.maxTokens ?? 16,
                stop: body.stop?.values ?? []))
        let id = InferenceService.completionID(prefix: "cmpl")
        var answer = CompletionResponse(
            id: id, created: InferenceService.now, model: body.model,
            choices: [.init(text: "", index: 0, finishReason: nil)])

        guard body.stream == true else {
            let (text, summary) = try await events.collect()
            answer.choices[0].text = text
            answer.choices[0].finishReason = summary.finishReason.rawValue
            answer.usage = Self.usage(summary)
            return try answer.response(from: request, context: context)
        }
        return ServerSentEvents.response { [answer] sender, writer in
            var answer = answer
            for try await event in events {
                switch event {
                case .text(let piece):
                    answer.choices = [.init(text: piece, index: 0, finishReason: nil)]
                case .finished(let summary):
                    answer.choices = [.init(text: "", index: 0, finishReason: summary.finishReason.rawValue)]
                    answer.usage = Self.usage(summary)
                }
                try await writer.write(sender.data(answer))
            }
        }
    }

    @Sendable func embeddings(_ request: Request, context: HavenRequestContext) async throws -> EmbeddingResponse {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: EmbeddingRequest.self, context: context)
        let format = body.encodingFormat ?? "float"
        guard format == "float" || format == "base64" else {
            throw InferenceError.invalidParameter("encoding_format must be 'float' or 'base64'")
        }
        let engine = try await service.engine(for: body.model, caller: caller)
        let inputs: [[Int32]]
        switch body.input {
        case .texts(let texts): inputs = texts.map { engine.tokenize($0) }
        case .tokens(let lists): inputs = lists
        }
        guard !inputs.isEmpty else { throw InferenceError.invalidParameter("input must not be empty") }
        let vectors = try await engine.embed(inputs)
        let tokens = inputs.reduce(0) { $0 + $1.count }
        return EmbeddingResponse(
            data: vectors.enumerated().map { index, vector in
                .init(index: index, embedding: format == "base64" ? .base64(Self.base64(vector)) : .float(vector))
            },
            model: body.model, usage: .init(promptTokens: tokens, totalTokens: tokens))
    }

    /// Little-endian float32 bytes in base64, as OpenAI's `encoding_format: base64`.
    static func base64(_ vector: [Float]) -> String {
        var bytes = [UInt8]()
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return Data(bytes).base64EncodedString()
    }

    static func usage(_ summary: GenerationSummary) -> CompletionUsage {
        CompletionUsage(
            promptTokens: summary.promptTokens, completionTokens: summary.completionTokens,
            totalTokens: summary.promptTokens + summary.completionTokens,
            promptTokensDetails: .init(cachedTokens: summary.cachedPromptTokens))
    }

    static func sampling(_ body: ChatCompletionRequest) throws -> SamplingParameters {
        try InferenceService.sampling(
            temperature: body.temperature, topP: body.topP, topK: body.topK, minP: body.minP, seed: body.seed,
            presencePenalty: body.presencePenalty, frequencyPenalty: body.frequencyPenalty, repeatPenalty: body.repeatPenalty)
    }

}
