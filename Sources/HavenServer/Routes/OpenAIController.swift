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
        if let upstream = try service.upstream(for: body.model, caller: caller) {
            let raw = try JSONDecoder().decode(JSONValue.self, from: Data(bytes.readableBytesView))
            return try await upstreamChat(body, raw: raw, upstream: upstream, request: request, context: context)
        }
        let run = try await ChatRun.start(body, service: service, caller: caller)
        let id = InferenceService.completionID(prefix: "chatcmpl")
        let created = InferenceService.now

        guard body.stream == true else {
            var choices: [ChatCompletionResponse.Choice] = []
            var summaries: [GenerationSummary] = []
            for (index, stream) in run.choices.enumerated() {
                let (text, logprobs, summary) = try await stream.collect()
                let (message, toolReason) = run.plan.answer(from: text)
                choices.append(
                    .init(
                        index: index, message: message, finishReason: toolReason ?? summary.finishReason.rawValue,
                        logprobs: run.topLogprobs == nil ? nil : ChatLogprobs(logprobs)))
                summaries.append(summary)
            }
            let answer = ChatCompletionResponse(
                id: id, created: created, model: body.model, choices: choices, usage: ChatRun.usage(summaries))
            return try answer.response(from: request, context: context)
        }

        let includeUsage = body.streamOptions?.includeUsage == true
        let model = body.model
        return ServerSentEvents.response { sender, writer in
            var chunk = ChatCompletionChunk(id: id, created: created, model: model, choices: [])
            var states = run.choices.indices.map { _ in StreamedChoice(plan: run.plan, logprobs: run.topLogprobs != nil) }
            for index in run.choices.indices {
                chunk.choices = [.init(index: index, delta: .init(role: "assistant", content: ""), finishReason: nil)]
                try await writer.write(sender.data(chunk))
            }
            var summaries: [GenerationSummary] = []
            for try await (index, step) in ChatRun.merge(run.choices) {
                for choice in states[index].choices(for: step, index: index) {
                    chunk.choices = [choice]
                    try await writer.write(sender.data(chunk))
                }
                if case .finished(let summary) = step { summaries.append(summary) }
            }
            if includeUsage {
                chunk.choices = []
                chunk.usage = ChatRun.usage(summaries)
                try await writer.write(sender.data(chunk))
            }
        }
    }

    @Sendable func completions(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: CompletionRequest.self, context: context)
        guard body.prompt.values.count == 1, let text = body.prompt.values.first else {
            throw InferenceError.invalidParameter("give exactly one prompt")
        }
        let n = body.n ?? 1
        guard (1...ChatRun.maxChoices).contains(n) else {
            throw InferenceError.invalidParameter(
                "n must be from 1 to \(ChatRun.maxChoices): each choice is a generation of its own")
        }
        if let top = body.logprobs, !(0...InferenceEngine.maxTopLogprobs).contains(top) {
            throw InferenceError.invalidParameter("logprobs must be from 0 to \(InferenceEngine.maxTopLogprobs)")
        }
        let engine = try await service.engine(for: body.model, caller: caller)
        let sampling = try InferenceService.sampling(
            temperature: body.temperature, topP: body.topP, topK: body.topK, minP: body.minP, seed: body.seed,
            presencePenalty: body.presencePenalty, frequencyPenalty: body.frequencyPenalty, repeatPenalty: body.repeatPenalty)
        let streams = try await ChatRun.generate(
            GenerationRequest(
                prompt: engine.tokenize(text), sampling: sampling, maxTokens: body.maxTokens ?? 16,
                stop: body.stop?.values ?? [], logprobs: body.logprobs),
            n: n, engine: engine)
        let wantsLogprobs = body.logprobs != nil
        let id = InferenceService.completionID(prefix: "cmpl")
        let answer = CompletionResponse(id: id, created: InferenceService.now, model: body.model, choices: [])

        guard body.stream == true else {
            var answer = answer
            var summaries: [GenerationSummary] = []
            for (index, stream) in streams.enumerated() {
                let (text, logprobs, summary) = try await stream.collect()
                answer.choices.append(
                    .init(
                        text: text, index: index, finishReason: summary.finishReason.rawValue,
                        logprobs: wantsLogprobs ? CompletionLogprobs(logprobs, offset: 0) : nil))
                summaries.append(summary)
            }
            answer.usage = ChatRun.usage(summaries)
            return try answer.response(from: request, context: context)
        }
        let includeUsage = body.streamOptions?.includeUsage ?? true
        return ServerSentEvents.response { sender, writer in
            var answer = answer
            var offsets = Array(repeating: 0, count: streams.count)
            var summaries: [GenerationSummary] = []
            for try await (index, step) in ChatRun.merge(streams) {
                switch step {
                case .text(let piece, let logprobs):
                    answer.choices = [
                        .init(
                            text: piece, index: index, finishReason: nil,
                            logprobs: wantsLogprobs ? CompletionLogprobs(logprobs, offset: offsets[index]) : nil)
                    ]
                    offsets[index] += logprobs.reduce(0) { $0 + $1.chosen.text.unicodeScalars.count }
                case .finished(let summary):
                    answer.choices = [.init(text: "", index: index, finishReason: summary.finishReason.rawValue)]
                    summaries.append(summary)
                    // Usage rides on the last choice's final event, as before stream_options existed.
                    if includeUsage, summaries.count == streams.count { answer.usage = ChatRun.usage(summaries) }
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
        if let upstream = try service.upstream(for: body.model, caller: caller) {
            return try await upstreamEmbeddings(body, format: format, upstream: upstream)
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
