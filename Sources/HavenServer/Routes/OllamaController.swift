import Foundation
import HavenInference
import Hummingbird

/// The Ollama-compatible API under `/api`: chat (with tools) and generate, as NDJSON streams
/// or one answer; the installed and loaded models; making, copying and deleting models
/// (``OllamaController+Models``); and the version. A model made with `/api/create` answers
/// with its own system prompt and defaults, which a request's own values override.
struct OllamaController {
    let service: InferenceService

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get("version") { _, _ in ["version": HavenServer.version] }
        group.get("tags", use: tags)
        group.get("ps", use: running)
        group.post("chat", use: chat)
        group.post("generate", use: generate)
        group.post("embed", use: embed)
        group.post("show", use: show)
        group.post("create", use: create)
        group.post("copy", use: copy)
        group.delete("delete", use: delete)
        group.post("pull", use: pull)
        group.post("push", use: push)
    }

    @Sendable func embed(_ request: Request, context: HavenRequestContext) async throws -> OllamaEmbedResponse {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: OllamaEmbedRequest.self, context: context)
        guard !body.input.values.isEmpty else { throw InferenceError.invalidParameter("input must not be empty") }
        if let upstream = try service.upstream(for: body.model, caller: caller) {
            let (vectors, tokens) = try await upstream.embed(body.input.values)
            return OllamaEmbedResponse(model: body.model, embeddings: vectors, promptEvalCount: tokens)
        }
        let engine = try await service.engine(for: body.model, caller: caller)
        let inputs = body.input.values.map { engine.tokenize($0) }
        return OllamaEmbedResponse(
            model: body.model, embeddings: try await engine.embed(inputs),
            promptEvalCount: inputs.reduce(0) { $0 + $1.count })
    }

    @Sendable func chat(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: OllamaChatRequest.self, context: context)
        try Self.refuseThinking(body.think)
        if body.logprobs == true {
            throw InferenceError.invalidParameter("logprobs are not offered on /api/chat; use /v1/chat/completions")
        }
        guard let messages = body.messages, !messages.isEmpty else {
            return try await loadOrUnload(model: body.model, keepAlive: body.keepAlive?.value, chat: true, caller: caller,
                                          request: request, context: context)
        }
        if let upstream = try service.upstream(for: body.model, caller: caller) {
            let openAI = try OllamaChatTranslation.openAIBody(body, system: nil)
            return try await upstreamAnswer(
                Self.adding(Self.openAIFields(body.options ?? ModelParameters()), to: openAI), upstream: upstream,
                model: body.model, stream: body.stream ?? true, chat: true, request: request, context: context)
        }
        let profile = try service.catalog.modelProfile(of: body.model)
        let plan = try ChatPlan(
            ChatCompletionRequest.translated(from: OllamaChatTranslation.openAIBody(body, system: profile?.system)))
        let engine = try await service.engine(for: body.model, caller: caller, keepAlive: body.keepAlive?.value)
        let prompt = try service.chatPrompt(plan.messages, engine: engine)
        let generation = try Self.generation(
            prompt: prompt, parameters: Self.parameters(body.options, profile: profile), engine: engine,
            grammar: plan.grammar, triggers: plan.grammarTriggers)
        return try await answer(
            generation, engine: engine, model: body.model, plan: plan.tools.isEmpty ? nil : plan,
            stream: body.stream ?? true, chat: true, request: request, context: context)
    }

    @Sendable func generate(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: OllamaGenerateRequest.self, context: context)
        guard let text = body.prompt, !text.isEmpty else {
            return try await loadOrUnload(model: body.model, keepAlive: body.keepAlive?.value, chat: false, caller: caller,
                                          request: request, context: context)
        }
        if body.template != nil {
            throw InferenceError.invalidParameter("template is not supported: Haven uses the model's own chat template (or raw: true)")
        }
        if body.suffix != nil { throw InferenceError.invalidParameter("suffix (fill in the middle) is not supported") }
        if let images = body.images, !images.isEmpty {
            throw InferenceError.invalidParameter("images are not supported: the models Haven runs read text only")
        }
        try Self.refuseThinking(body.think)
        if let upstream = try service.upstream(for: body.model, caller: caller) {
            if body.raw == true {
                throw InferenceError.invalidParameter("raw is not offered on '\(body.model)', which runs on an upstream server")
            }
            var messages: [JSONValue] = []
            if let system = body.system {
                messages.append(OllamaChatTranslation.object([("role", .string("system")), ("content", .string(system))]))
            }
            messages.append(OllamaChatTranslation.object([("role", .string("user")), ("content", .string(text))]))
            var fields: [(String, JSONValue)] = [("model", .string(body.model)), ("messages", .array(messages))]
            if let format = try OllamaChatTranslation.responseFormat(body.format) { fields.append(("response_format", format)) }
            fields += Self.openAIFields(body.options ?? ModelParameters())
            return try await upstreamAnswer(
                OllamaChatTranslation.object(fields), upstream: upstream, model: body.model, stream: body.stream ?? true,
                chat: false, request: request, context: context)
        }
        let profile = try service.catalog.modelProfile(of: body.model)
        let grammar = try Self.grammar(format: body.format)
        let engine = try await service.engine(for: body.model, caller: caller, keepAlive: body.keepAlive?.value)
        let prompt: [Int32]
        if body.raw == true {
            prompt = engine.tokenize(text)
        } else {
            var messages: [(role: String, content: String)] = []
            if let system = body.system ?? profile?.system { messages.append(("system", system)) }
            messages.append(("user", text))
            prompt = try service.chatPrompt(messages, engine: engine)
        }
        let generation = try Self.generation(
            prompt: prompt, parameters: Self.parameters(body.options, profile: profile), engine: engine, grammar: grammar,
            triggers: [])
        return try await answer(
            generation, engine: engine, model: body.model, plan: nil, stream: body.stream ?? true, chat: false,
            request: request, context: context)
    }

    /// Ollama's idiom: a chat without messages or a generate without a prompt loads the model,
    /// or with `keep_alive: 0` unloads it.
    private func loadOrUnload(
        model: String, keepAlive: LoadedModels.KeepAlive?, chat: Bool, caller: Authentication, request: Request,
        context: HavenRequestContext
    ) async throws -> Response {
        if try service.upstream(for: model, caller: caller) != nil {
            // An upstream keeps its own models loaded: nothing to load or unload here.
            return try Self.bare(model: model, reason: keepAlive == .duration(.zero) ? "unload" : "load", chat: chat,
                                 request: request, context: context)
        }
        if keepAlive == .duration(.zero) {
            let engine = try await service.engine(for: model, caller: caller)  // the same access check
            await service.loaded.unload(name: engine.name)
            return try Self.bare(model: model, reason: "unload", chat: chat, request: request, context: context)
        }
        _ = try await service.engine(for: model, caller: caller, keepAlive: keepAlive)
        return try Self.bare(model: model, reason: "load", chat: chat, request: request, context: context)
    }

    /// The request's options over the model's own defaults.
    static func parameters(_ options: ModelParameters?, profile: ModelProfile?) -> ModelParameters {
        (options ?? ModelParameters()).filling(from: profile?.parameters ?? ModelParameters())
    }

    /// The generation for `prompt` with `parameters`: sampling, `num_predict`, `stop`, and
    /// `num_ctx` as a bound on prompt and answer together (within the server's own context).
    static func generation(
        prompt: [Int32], parameters: ModelParameters, engine: InferenceEngine, grammar: String?, triggers: [String]
    ) throws -> GenerationRequest {
        var sampling = try InferenceService.sampling(
            temperature: parameters.temperature, topP: parameters.topP, topK: parameters.topK, minP: parameters.minP,
            seed: parameters.seed, presencePenalty: parameters.presencePenalty,
            frequencyPenalty: parameters.frequencyPenalty, repeatPenalty: parameters.repeatPenalty)
        sampling.grammar = grammar
        sampling.grammarTriggers = triggers
        var maxTokens = parameters.numPredict.flatMap { $0 < 0 ? nil : $0 }
        if let numCtx = parameters.numCtx, numCtx > 0, numCtx < engine.configuration.contextPerSequence {
            guard prompt.count < numCtx else { throw InferenceError.promptTooLong(tokens: prompt.count, limit: numCtx) }
            maxTokens = min(maxTokens ?? Int.max, numCtx - prompt.count)
        }
        return GenerationRequest(prompt: prompt, sampling: sampling, maxTokens: maxTokens, stop: parameters.stop ?? [])
    }

    /// The grammar for `/api/generate`'s `format`: any object for `"json"`, or a schema.
    static func grammar(format: JSONValue?) throws -> String? {
        switch format {
        case nil, .null?, .string("")?: return nil
        case .string("json")?: return JSONSchemaGrammar.anyObject
        case .object?: return try JSONSchemaGrammar.grammar(for: format!)
        default: throw InferenceError.invalidParameter("format must be \"json\" or a JSON schema")
        }
    }

    static func refuseThinking(_ think: JSONValue?) throws {
        switch think {
        case nil, .null?, .bool(false)?: return
        default: throw InferenceError.invalidParameter("think is not supported: the models Haven runs do not think apart")
        }
    }

    /// Runs `generation` and answers in Ollama's shape. With tools on offer (`plan`), text
    /// streams while it cannot be a call, and the calls come in one line at the end, arguments
    /// as objects, as Ollama sends them.
    private func answer(
        _ generation: GenerationRequest, engine: InferenceEngine, model: String, plan: ChatPlan?, stream: Bool,
        chat: Bool, request: Request, context: HavenRequestContext
    ) async throws -> Response {
        let start = ContinuousClock.now
        let events = try await engine.generate(generation)
        @Sendable func line(_ text: String, calls: [OllamaToolCall]? = nil) -> OllamaResponseLine {
            OllamaResponseLine(
                model: model, createdAt: Self.timestamp(Date()),
                message: chat ? .init(content: text, toolCalls: calls) : nil, response: chat ? nil : text, done: false)
        }
        @Sendable func last(_ summary: GenerationSummary, text: String, calls: [OllamaToolCall]? = nil,
                            firstToken: ContinuousClock.Instant?) -> OllamaResponseLine {
            var final = line(text, calls: calls)
            let end = ContinuousClock.now
            let promptEnd = firstToken ?? end
            final.done = true
            final.doneReason = summary.finishReason.rawValue
            final.totalDuration = Self.nanoseconds(end - start)
            final.loadDuration = 0
            final.promptEvalCount = summary.promptTokens
            final.promptEvalDuration = Self.nanoseconds(promptEnd - start)
            final.evalCount = summary.completionTokens
            final.evalDuration = Self.nanoseconds(end - promptEnd)
            return final
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes

        guard stream else {
            var text = ""
            var firstToken: ContinuousClock.Instant?
            for try await event in events {
                switch event {
                case .text(let piece):
                    if firstToken == nil { firstToken = .now }
                    text += piece
                case .finished(let summary):
                    var calls: [OllamaToolCall]?
                    if let plan {
                        let (message, _) = plan.answer(from: text)
                        if let made = message.toolCalls, !made.isEmpty {
                            calls = OllamaChatTranslation.toolCalls(made.map { ($0.function.name, $0.function.arguments) })
                            text = message.content ?? ""
                        }
                    }
                    var headers = HTTPFields()
                    headers[.contentType] = "application/json; charset=utf-8"
                    let final = last(summary, text: text, calls: calls, firstToken: firstToken)
                    return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(final))))
                }
            }
            throw InferenceError.generationIncomplete
        }

        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            func send(_ next: OllamaResponseLine) async throws {
                var bytes = try encoder.encode(next)
                bytes.append(0x0A)
                try await writer.write(ByteBuffer(bytes: bytes))
            }
            var firstToken: ContinuousClock.Instant?
            var parser = plan.map { _ in ToolCallStream() }
            var calls: [(name: String, arguments: String)] = []
            func take(_ events: [ToolCallStream.Event]) async throws {
                for event in events {
                    switch event {
                    case .text(let text): try await send(line(text))
                    case .callStarted(_, let name): calls.append((name, ""))
                    case .arguments(let index, let fragment): calls[index].arguments += fragment
                    }
                }
            }
            for try await event in events {
                switch event {
                case .text(let piece):
                    if firstToken == nil { firstToken = .now }
                    if var stream = parser {
                        let decided = stream.append(piece)
                        parser = stream
                        try await take(decided)
                    } else {
                        try await send(line(piece))
                    }
                case .finished(let summary):
                    if var stream = parser {
                        let decided = stream.finish()
                        parser = stream
                        try await take(decided)
                        let made = OllamaChatTranslation.toolCalls(calls)
                        if !made.isEmpty { try await send(line("", calls: made)) }
                    }
                    try await send(last(summary, text: "", firstToken: firstToken))
                }
            }
            try await writer.finish(nil)
        })
    }

    /// The answer to a load or unload request.
    static func bare(model: String, reason: String, chat: Bool, request: Request, context: HavenRequestContext) throws -> Response {
        var line = OllamaResponseLine(
            model: model, createdAt: timestamp(Date()), message: chat ? .init(content: "") : nil, response: chat ? nil : "",
            done: true)
        line.doneReason = reason
        return try context.responseEncoder.encode(line, from: request, context: context)
    }

    static func nanoseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1_000_000_000 + Int(duration.components.attoseconds / 1_000_000_000)
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
