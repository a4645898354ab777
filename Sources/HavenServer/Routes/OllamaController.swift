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
        let backend = try service.backend(for: body.model, caller: caller)
        let (vectors, tokens) = try await backend.embed(.texts(body.input.values))
        return OllamaEmbedResponse(model: body.model, embeddings: vectors, promptEvalCount: tokens)
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
        let backend = try service.backend(for: body.model, caller: caller)
        let profile = try service.catalog.modelProfile(of: body.model)
        let parameters = Self.parameters(body.options, profile: profile)
        let openAI = try OllamaChatTranslation.openAIBody(body, system: profile?.system)
        let call = try ChatCall(
            json: Self.adding(Self.openAIFields(parameters), to: openAI), keepAlive: body.keepAlive?.value,
            contextLimit: parameters.numCtx)
        return try await answer(
            backend.chat(call), model: body.model, stream: body.stream ?? true, chat: true, request: request, context: context)
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
        let backend = try service.backend(for: body.model, caller: caller)
        let profile = try service.catalog.modelProfile(of: body.model)
        let parameters = Self.parameters(body.options, profile: profile)
        let stream: ChatStream
        if body.raw == true {
            var sampling = try InferenceService.sampling(
                temperature: parameters.temperature, topP: parameters.topP, topK: parameters.topK, minP: parameters.minP,
                seed: parameters.seed, presencePenalty: parameters.presencePenalty,
                frequencyPenalty: parameters.frequencyPenalty, repeatPenalty: parameters.repeatPenalty)
            sampling.grammar = try Self.grammar(format: body.format)
            let json = OllamaChatTranslation.object(
                [("model", .string(body.model)), ("prompt", .string(text))] + Self.openAIFields(parameters))
            stream = try await backend.complete(
                CompletionCall(
                    prompt: text, sampling: sampling, maxTokens: parameters.numPredict.flatMap { $0 < 0 ? nil : $0 },
                    stop: parameters.stop ?? [], keepAlive: body.keepAlive?.value, contextLimit: parameters.numCtx, json: json))
        } else {
            var messages: [JSONValue] = []
            if let system = body.system ?? profile?.system {
                messages.append(OllamaChatTranslation.object([("role", .string("system")), ("content", .string(system))]))
            }
            messages.append(OllamaChatTranslation.object([("role", .string("user")), ("content", .string(text))]))
            var fields: [(String, JSONValue)] = [("model", .string(body.model)), ("messages", .array(messages))]
            if let format = try OllamaChatTranslation.responseFormat(body.format) { fields.append(("response_format", format)) }
            fields += Self.openAIFields(parameters)
            stream = try await backend.chat(
                ChatCall(json: OllamaChatTranslation.object(fields), keepAlive: body.keepAlive?.value, contextLimit: parameters.numCtx))
        }
        return try await answer(stream, model: body.model, stream: body.stream ?? true, chat: false, request: request, context: context)
    }

    /// Ollama's idiom: a chat without messages or a generate without a prompt loads the model,
    /// or with `keep_alive: 0` unloads it. An upstream keeps its own models loaded.
    private func loadOrUnload(
        model: String, keepAlive: LoadedModels.KeepAlive?, chat: Bool, caller: Authentication, request: Request,
        context: HavenRequestContext
    ) async throws -> Response {
        let backend = try service.backend(for: model, caller: caller)
        if keepAlive == .duration(.zero) {
            await backend.unload()
            return try Self.bare(model: model, reason: "unload", chat: chat, request: request, context: context)
        }
        try await backend.load(keepAlive: keepAlive)
        return try Self.bare(model: model, reason: "load", chat: chat, request: request, context: context)
    }

    /// The request's options over the model's own defaults.
    static func parameters(_ options: ModelParameters?, profile: ModelProfile?) -> ModelParameters {
        (options ?? ModelParameters()).filling(from: profile?.parameters ?? ModelParameters())
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
