import HavenInference

/// A model installed here, run on Haven's llama.cpp engine: chats planned by ``ChatPlan``
/// (template, tools, grammar), generated in the engine's batches, and read back as deltas.
struct LocalBackend: InferenceBackend {
    let model: String
    let service: InferenceService

    func chat(_ call: ChatCall) async throws -> ChatStream {
        let plan = try ChatPlan(call.request)
        let engine = try await service.installedEngine(model, keepAlive: call.keepAlive)
        let run = try await ChatRun.start(call, plan: plan, engine: engine, service: service)
        let tools = !plan.tools.isEmpty
        let logprobs = run.topLogprobs != nil
        let deltas = Self.deltas(ChatRun.merge(run.choices), choices: run.choices.count) { index in
            ChoiceDeltas(choice: index, tools: tools, logprobs: logprobs)
        }
        return ChatStream(deltas: deltas, choices: run.choices.count, promptTokens: run.promptTokens)
    }

    /// The whole answer; calls are read from each choice's whole text, as ``ChatPlan`` reads them.
    func answer(_ call: ChatCall) async throws -> ChatAnswer {
        let plan = try ChatPlan(call.request)
        let engine = try await service.installedEngine(model, keepAlive: call.keepAlive)
        let run = try await ChatRun.start(call, plan: plan, engine: engine, service: service)
        var answer = ChatAnswer()
        var summaries: [GenerationSummary] = []
        for stream in run.choices {
            let (text, logprobs, summary) = try await stream.collect()
            let (message, toolReason) = run.plan.answer(from: text)
            answer.choices.append(
                ChatAnswer.Choice(
                    content: message.content ?? "",
                    calls: (message.toolCalls ?? []).map { .init(id: $0.id, name: $0.function.name, arguments: $0.function.arguments) },
                    finishReason: toolReason ?? summary.finishReason.rawValue, logprobs: logprobs))
            summaries.append(summary)
        }
        let usage = ChatRun.usage(summaries)
        answer.promptTokens = usage.promptTokens
        answer.completionTokens = usage.completionTokens
        answer.cachedTokens = usage.promptTokensDetails.cachedTokens
        return answer
    }

    func complete(_ call: CompletionCall) async throws -> ChatStream {
        guard (1...ChatCall.maxChoices).contains(call.n) else {
            throw InferenceError.invalidParameter(
                "n must be from 1 to \(ChatCall.maxChoices): each choice is a generation of its own")
        }
        let engine = try await service.installedEngine(model, keepAlive: call.keepAlive)
        let prompt = engine.tokenize(call.prompt)
        let generation = GenerationRequest(
            prompt: prompt, sampling: call.sampling,
            maxTokens: try ChatRun.maxTokens(call.maxTokens, prompt: prompt.count, contextLimit: call.contextLimit, engine: engine),
            stop: call.stop, logprobs: call.logprobs)
        let streams = try await ChatRun.generate(generation, n: call.n, engine: engine)
        let logprobs = call.logprobs != nil
        let deltas = Self.deltas(ChatRun.merge(streams), choices: streams.count) { index in
            RawChoice(choice: index, logprobs: logprobs)
        }
        return ChatStream(deltas: deltas, choices: streams.count, promptTokens: prompt.count)
    }

    func embed(_ input: EmbeddingRequest.Input) async throws -> (vectors: [[Float]], promptTokens: Int) {
        let engine = try await service.installedEngine(model)
        let inputs: [[Int32]]
        switch input {
        case .texts(let texts): inputs = texts.map { engine.tokenize($0) }
        case .tokens(let lists): inputs = lists
        }
        guard !inputs.isEmpty else { throw InferenceError.invalidParameter("input must not be empty") }
        return (try await engine.embed(inputs), inputs.reduce(0) { $0 + $1.count })
    }

    func promptTokens(_ call: ChatCall) async throws -> Int {
        let plan = try ChatPlan(call.request)
        let engine = try await service.installedEngine(model)
        return try service.chatPrompt(plan.messages, engine: engine).count
    }

    func tokenCount(of text: String) async -> Int? {
        guard let engine = try? await service.installedEngine(model) else { return nil }
        return engine.tokenize(text, addSpecial: false).count
    }

    func load(keepAlive: LoadedModels.KeepAlive?) async throws {
        _ = try await service.installedEngine(model, keepAlive: keepAlive)
    }

    func unload() async {
        guard let name = try? service.engineName(of: model) else { return }
        await service.loaded.unload(name: name)
    }

    /// The generations' steps as deltas, each choice read by its own reader, then the usage of all.
    private static func deltas<Reader: StepReader>(
        _ merged: AsyncThrowingStream<(index: Int, step: GenerationStep), any Error>, choices: Int,
        reader: (Int) -> Reader
    ) -> AsyncThrowingStream<ChatDelta, any Error> {
        let fresh = (0..<choices).map(reader)
        let (stream, continuation) = AsyncThrowingStream<ChatDelta, any Error>.makeStream()
        let work = Task {
            var readers = fresh
            var summaries: [GenerationSummary] = []
            do {
                for try await (index, step) in merged {
                    for delta in readers[index].deltas(for: step) { continuation.yield(delta) }
                    if case .finished(let summary) = step { summaries.append(summary) }
                }
                let usage = ChatRun.usage(summaries)
                continuation.yield(
                    .usage(
                        promptTokens: usage.promptTokens, completionTokens: usage.completionTokens,
                        cachedTokens: usage.promptTokensDetails.cachedTokens))
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in work.cancel() }
        return stream
    }
}
