import Foundation
import HavenInference
import Hummingbird

/// The Ollama-compatible API under `/api`: chat and generate (NDJSON streams or one answer),
/// the installed and loaded models, and the version.
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
    }

    @Sendable func show(_ request: Request, context: HavenRequestContext) async throws -> OllamaShowResponse {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: OllamaShowRequest.self, context: context)
        guard let record = try service.models(visibleTo: caller).first(where: { $0.name == body.model }) else {
            throw InferenceError.modelNotFound(body.model)
        }
        let path = service.modelsDirectory + "/" + record.file
        let gguf = try GGUFFile(path: path)
        var info: [String: JSONValue] = [:]
        if let architecture = gguf.architecture {
            info["general.architecture"] = .string(architecture)
            if let value = gguf.blockCount { info[architecture + ".block_count"] = .number(Double(value)) }
            if let value = gguf.embeddingLength { info[architecture + ".embedding_length"] = .number(Double(value)) }
            if let value = gguf.headCount { info[architecture + ".attention.head_count"] = .number(Double(value)) }
            if let value = gguf.headCountKV { info[architecture + ".attention.head_count_kv"] = .number(Double(value)) }
        }
        if let name = gguf.modelName { info["general.name"] = .string(name) }
        if let size = gguf.sizeLabel { info["general.size_label"] = .string(size) }
        return OllamaShowResponse(
            modelfile: "FROM \(path)\n", parameters: "", template: gguf.chatTemplate ?? "",
            details: describe(record).details, modelInfo: info, modifiedAt: Self.timestamp(record.addedAt))
    }

    @Sendable func embed(_ request: Request, context: HavenRequestContext) async throws -> OllamaEmbedResponse {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: OllamaEmbedRequest.self, context: context)
        guard !body.input.values.isEmpty else { throw InferenceError.invalidParameter("input must not be empty") }
        let engine = try await service.engine(for: body.model, caller: caller)
        let inputs = body.input.values.map { engine.tokenize($0) }
        return OllamaEmbedResponse(
            model: body.model, embeddings: try await engine.embed(inputs),
            promptEvalCount: inputs.reduce(0) { $0 + $1.count })
    }

    @Sendable func tags(_ request: Request, context: HavenRequestContext) async throws -> OllamaModelList {
        let caller = try context.requireAuthentication()
        return OllamaModelList(models: try service.models(visibleTo: caller).map(describe))
    }

    @Sendable func running(_ request: Request, context: HavenRequestContext) async throws -> OllamaModelList {
        let caller = try context.requireAuthentication()
        let residency = await service.loaded.residency()
        let now = Date()
        return OllamaModelList(
            models: try service.models(visibleTo: caller).compactMap { record in
                guard let resident = residency[record.name] else { return nil }
                var model = describe(record)
                // A model kept for ever gets a date far ahead, as Ollama shows keep_alive -1.
                let seconds = resident.unloadsIn.map { Double($0.components.seconds) } ?? 100 * 365 * 86_400
                model.expiresAt = Self.timestamp(now.addingTimeInterval(seconds))
                return model
            })
    }

    private func describe(_ record: ModelRecord) -> OllamaModelList.Model {
        OllamaModelList.Model(
            name: record.name, model: record.name, modifiedAt: Self.timestamp(record.addedAt), size: record.sizeBytes,
            details: .init(family: record.architecture, parameterSize: record.sizeLabel))
    }

    @Sendable func chat(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: OllamaChatRequest.self, context: context)
        let engine = try await service.engine(for: body.model, caller: caller, keepAlive: body.keepAlive?.value)
        let prompt = try service.chatPrompt(body.messages.map { ($0.role, $0.content) }, engine: engine)
        return try await answer(
            prompt: prompt, engine: engine, model: body.model, options: body.options, format: body.format,
            stream: body.stream ?? true, chat: true, request: request, context: context)
    }

    @Sendable func generate(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: OllamaGenerateRequest.self, context: context)
        let keepAlive = body.keepAlive?.value
        guard let text = body.prompt, !text.isEmpty else {
            // Ollama's idiom: an empty generate loads the model, or with keep_alive 0 unloads it.
            if keepAlive == .duration(.zero) {
                _ = try await service.engine(for: body.model, caller: caller)  // the same access check
                await service.loaded.unload(name: body.model)
                return try Self.bare(model: body.model, reason: "unload", request: request, context: context)
            }
            _ = try await service.engine(for: body.model, caller: caller, keepAlive: keepAlive)
            return try Self.bare(model: body.model, reason: "load", request: request, context: context)
        }
        let engine = try await service.engine(for: body.model, caller: caller, keepAlive: keepAlive)
        let prompt: [Int32]
        if body.raw == true {
            prompt = engine.tokenize(text)
        } else {
            var messages: [(role: String, content: String)] = []
            if let system = body.system { messages.append(("system", system)) }
            messages.append(("user", text))
            prompt = try service.chatPrompt(messages, engine: engine)
        }
        return try await answer(
            prompt: prompt, engine: engine, model: body.model, options: body.options, format: body.format,
            stream: body.stream ?? true, chat: false, request: request, context: context)
    }

    private func answer(
        prompt: [Int32], engine: InferenceEngine, model: String, options: OllamaOptions?, format: JSONValue?,
        stream: Bool, chat: Bool,
        request: Request, context: HavenRequestContext
    ) async throws -> Response {
        let start = ContinuousClock.now
        var sampling = try Self.sampling(options)
        switch format {
        case nil, .string("")?: break
        case .string("json")?: sampling.grammar = JSONSchemaGrammar.anyObject
        case .object?: sampling.grammar = try JSONSchemaGrammar.grammar(for: format!)
        default: throw InferenceError.invalidParameter("format must be \"json\" or a JSON schema")
        }
        let events = try await engine.generate(
            GenerationRequest(prompt: prompt, sampling: sampling, maxTokens: options?.numPredict.flatMap { $0 < 0 ? nil : $0 },
                              stop: options?.stop ?? []))
        @Sendable func line(_ text: String) -> OllamaResponseLine {
            OllamaResponseLine(
                model: model, createdAt: Self.timestamp(Date()),
                message: chat ? .init(role: "assistant", content: text) : nil, response: chat ? nil : text, done: false)
        }
        @Sendable func last(_ summary: GenerationSummary, text: String, firstToken: ContinuousClock.Instant?) -> OllamaResponseLine {
            var final = line(text)
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
                    var headers = HTTPFields()
                    headers[.contentType] = "application/json; charset=utf-8"
                    return Response(
                        status: .ok, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(last(summary, text: text, firstToken: firstToken)))))
                }
            }
            throw InferenceError.generationIncomplete
        }

        var headers = HTTPFields()
        headers[.contentType] = "application/x-ndjson"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            var firstToken: ContinuousClock.Instant?
            for try await event in events {
                let next: OllamaResponseLine
                switch event {
                case .text(let piece):
                    if firstToken == nil { firstToken = .now }
                    next = line(piece)
                case .finished(let summary):
                    next = last(summary, text: "", firstToken: firstToken)
                }
                var bytes = try encoder.encode(next)
                bytes.append(0x0A)
                try await writer.write(ByteBuffer(bytes: bytes))
            }
            try await writer.finish(nil)
        })
    }

    /// The answer to a load or unload request.
    static func bare(model: String, reason: String, request: Request, context: HavenRequestContext) throws -> Response {
        var line = OllamaResponseLine(model: model, createdAt: timestamp(Date()), response: "", done: true)
        line.doneReason = reason
        return try context.responseEncoder.encode(line, from: request, context: context)
    }

    static func sampling(_ options: OllamaOptions?) throws -> SamplingParameters {
        try InferenceService.sampling(
            temperature: options?.temperature, topP: options?.topP, topK: options?.topK, minP: options?.minP,
            seed: options?.seed, presencePenalty: options?.presencePenalty, frequencyPenalty: options?.frequencyPenalty,
            repeatPenalty: options?.repeatPenalty)
    }

    static func nanoseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds) * 1_000_000_000 + Int(duration.components.attoseconds / 1_000_000_000)
    }

    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
