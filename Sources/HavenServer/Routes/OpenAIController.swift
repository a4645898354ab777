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
        var request = request
        // Kept whole: an upstream model gets the body as the client sent it.
        let bytes = try await request.collectBody(upTo: context.maxUploadSize)
        let body = try await request.decode(as: ChatCompletionRequest.self, context: context)
        if body.model.hasPrefix(Self.agentPrefix) {
            if let n = body.n, n != 1 { throw InferenceError.invalidParameter("an agent answers one choice; leave n out") }
            return try await agentCompletion(body, request: request, context: context, caller: caller)
        }
        let backend = try service.backend(for: body.model, caller: caller)
        let call = ChatCall(request: body, json: try JSONDecoder().decode(JSONValue.self, from: Data(bytes.readableBytesView)))
        let id = InferenceService.completionID(prefix: "chatcmpl")
        let created = InferenceService.now

        guard body.stream == true else {
            let answer = try await backend.answer(call)
            let logprobs = body.logprobs == true
            let response = ChatCompletionResponse(
                id: id, created: created, model: body.model,
                choices: answer.choices.enumerated().map { index, choice in
                    .init(
                        index: index, message: Self.message(choice), finishReason: choice.finishReason,
                        logprobs: logprobs ? ChatLogprobs(choice.logprobs) : nil)
                },
                usage: Self.usage(answer))
            return try response.response(from: request, context: context)
        }
        let stream = try await backend.chat(call)
        return Self.streamed(stream, id: id, created: created, model: body.model, includeUsage: body.streamOptions?.includeUsage == true)
    }

    @Sendable func completions(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        var request = request
        let bytes = try await request.collectBody(upTo: context.maxUploadSize)
        let body = try await request.decode(as: CompletionRequest.self, context: context)
        guard body.prompt.values.count == 1, let text = body.prompt.values.first else {
            throw InferenceError.invalidParameter("give exactly one prompt")
        }
        let n = body.n ?? 1
        guard (1...ChatCall.maxChoices).contains(n) else {
            throw InferenceError.invalidParameter(
                "n must be from 1 to \(ChatCall.maxChoices): each choice is a generation of its own")
        }
        if let top = body.logprobs, !(0...InferenceEngine.maxTopLogprobs).contains(top) {
            throw InferenceError.invalidParameter("logprobs must be from 0 to \(InferenceEngine.maxTopLogprobs)")
        }
        let backend = try service.backend(for: body.model, caller: caller)
        let sampling = try InferenceService.sampling(
            temperature: body.temperature, topP: body.topP, topK: body.topK, minP: body.minP, seed: body.seed,
            presencePenalty: body.presencePenalty, frequencyPenalty: body.frequencyPenalty, repeatPenalty: body.repeatPenalty)
        var json = try JSONDecoder().decode(JSONValue.self, from: Data(bytes.readableBytesView))
        // OpenAI's default answer length, said outright: servers upstream differ on it.
        if body.maxTokens == nil { json = OllamaController.adding([("max_tokens", .number(16))], to: json) }
        let stream = try await backend.complete(
            CompletionCall(
                prompt: text, sampling: sampling, maxTokens: body.maxTokens ?? 16, stop: body.stop?.values ?? [], n: n,
                logprobs: body.logprobs, json: json))
        let wantsLogprobs = body.logprobs != nil
        let id = InferenceService.completionID(prefix: "cmpl")
        let answer = CompletionResponse(id: id, created: InferenceService.now, model: body.model, choices: [])

        guard body.stream == true else {
            let whole = try await ChatAnswer.collect(stream.deltas)
            var answer = answer
            answer.choices = whole.choices.enumerated().map { index, choice in
                .init(
                    text: choice.content, index: index, finishReason: choice.finishReason,
                    logprobs: wantsLogprobs ? CompletionLogprobs(choice.logprobs, offset: 0) : nil)
            }
            answer.usage = Self.usage(whole)
            return try answer.response(from: request, context: context)
        }
        let includeUsage = body.streamOptions?.includeUsage ?? true
        return ServerSentEvents.response { sender, writer in
            var event = answer
            var offsets = Array(repeating: 0, count: stream.choices)
            var pending = Array(repeating: [TokenLogprob](), count: stream.choices)
            var finished = 0
            // Usage rides on the last choice's final event, as before stream_options existed.
            var last: CompletionResponse?
            do {
                for try await delta in stream.deltas {
                    switch delta {
                    case .logprobs(let index, let tokens) where index < stream.choices:
                        pending[index] += tokens
                        continue
                    case .content(let index, let piece) where index < stream.choices:
                        event.choices = [
                            .init(
                                text: piece, index: index, finishReason: nil,
                                logprobs: wantsLogprobs ? CompletionLogprobs(pending[index], offset: offsets[index]) : nil)
                        ]
                        offsets[index] += pending[index].reduce(0) { $0 + $1.chosen.text.unicodeScalars.count }
                        pending[index] = []
                    case .finished(let index, let reason):
                        event.choices = [.init(text: "", index: index, finishReason: reason)]
                        finished += 1
                        if finished == stream.choices {
                            last = event
                            continue
                        }
                    case .usage:
                        guard includeUsage else { continue }
                        var whole = ChatAnswer()
                        whole.add(delta)
                        var final = last ?? answer
                        if last == nil { final.choices = [] }
                        final.usage = Self.usage(whole)
                        last = nil
                        try await writer.write(sender.data(final))
                        continue
                    default:
                        continue
                    }
                    try await writer.write(sender.data(event))
                }
            } catch {
                if error is CancellationError { throw error }
                try await writer.write(sender.data(Self.streamError(error)))
                throw ServerSentEvents.Ended()
            }
            if let last { try await writer.write(sender.data(last)) }
        }
    }

    @Sendable func embeddings(_ request: Request, context: HavenRequestContext) async throws -> EmbeddingResponse {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: EmbeddingRequest.self, context: context)
        let format = body.encodingFormat ?? "float"
        guard format == "float" || format == "base64" else {
            throw InferenceError.invalidParameter("encoding_format must be 'float' or 'base64'")
        }
        let backend = try service.backend(for: body.model, caller: caller)
        let (vectors, tokens) = try await backend.embed(body.input)
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
