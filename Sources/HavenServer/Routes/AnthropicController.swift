import Foundation
import HavenInference
import Hummingbird

/// Anthropic's Messages API under `/v1`: `POST /v1/messages`, answered whole or as Anthropic's
/// event stream, and `POST /v1/messages/count_tokens`. A request is translated
/// (``AnthropicTranslation``) into the chat every API shares: the model's own defaults if it
/// was made with `/api/create`, ``ChatPlan``, the caller's `infer` right on the model, and the
/// engine. Callers authenticate with `x-api-key` or a bearer token; errors come in Anthropic's
/// shape (``AnthropicErrorMiddleware``).
struct AnthropicController {
    let service: InferenceService

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.post("messages", use: messages)
        group.post("messages/count_tokens", use: countTokens)
    }

    /// A request planned and put to its model, not yet run.
    private struct Prepared {
        let chat: ChatCompletionRequest
        let plan: ChatPlan
        let engine: InferenceEngine
        let prompt: [Int32]
        /// The request's stop sequences, or else the model's own.
        let stops: [String]
    }

    private func prepare(
        _ body: AnthropicMessagesRequest, caller: Authentication, requireMaxTokens: Bool
    ) async throws -> Prepared {
        var json = try AnthropicTranslation.openAIBody(body, requireMaxTokens: requireMaxTokens)
        var stops = body.stopSequences ?? []
        if let profile = try service.catalog.modelProfile(of: body.model) {
            json = profile.applied(toOpenAIRequest: json)
            if body.stopSequences == nil { stops = profile.parameters.stop ?? [] }
            // Stop sequences are watched here, not by the engine, so the answer can name the one met.
            if case .object(var fields, var order) = json {
                fields["stop"] = nil
                order.removeAll { $0 == "stop" }
                json = .object(fields, order: order)
            }
        }
        let chat = try ChatCompletionRequest.translated(from: json)
        let plan = try ChatPlan(chat)
        let engine = try await service.engine(for: body.model, caller: caller)
        let prompt = try service.chatPrompt(plan.messages, engine: engine)
        return Prepared(chat: chat, plan: plan, engine: engine, prompt: prompt, stops: stops)
    }

    @Sendable func countTokens(_ request: Request, context: HavenRequestContext) async throws -> AnthropicTokenCount {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: AnthropicMessagesRequest.self, context: context)
        return AnthropicTokenCount(inputTokens: try await prepare(body, caller: caller, requireMaxTokens: false).prompt.count)
    }

    @Sendable func messages(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: AnthropicMessagesRequest.self, context: context)
        let run = try await prepare(body, caller: caller, requireMaxTokens: true)
        var sampling = try OpenAIController.sampling(run.chat)
        sampling.grammar = run.plan.grammar
        sampling.grammarTriggers = run.plan.grammarTriggers
        let events = try await run.engine.generate(
            GenerationRequest(prompt: run.prompt, sampling: sampling, maxTokens: run.chat.maxTokens, stop: []))
        let id = AnthropicTranslation.messageID()
        let model = body.model

        guard body.stream == true else {
            var scanner = StopSequenceScanner(stops: run.stops)
            var text = ""
            var summary: GenerationSummary?
            var stopSequence: String?
            reading: for try await event in events {
                switch event {
                case .text(let piece):
                    let (visible, matched) = scanner.append(piece)
                    text += visible
                    if let matched {
                        stopSequence = matched
                        break reading  // dropping the stream ends the generation
                    }
                case .finished(let finished):
                    summary = finished
                    text += scanner.flush()
                }
            }
            guard summary != nil || stopSequence != nil else { throw InferenceError.generationIncomplete }
            let content = AnthropicTranslation.content(from: text, plan: run.plan)
            let madeCalls = content.contains { if case .toolUse = $0 { true } else { false } }
            let message = AnthropicMessage(
                id: id, model: model, content: content,
                stopReason: AnthropicTranslation.stopReason(summary?.finishReason, stopSequence: stopSequence, madeCalls: madeCalls),
                stopSequence: stopSequence,
                usage: Self.usage(summary, run: run, output: text + (stopSequence ?? "")))
            return try message.response(from: request, context: context)
        }

        let tools = !run.plan.tools.isEmpty
        return Self.eventStream { send in
            try await send(.messageStart(id: id, model: model, inputTokens: run.prompt.count))
            try await send(.ping)
            var translator = AnthropicStreamTranslator(stops: run.stops, tools: tools)
            var summary: GenerationSummary?
            do {
                reading: for try await event in events {
                    switch event {
                    case .text(let piece):
                        for next in translator.append(piece) { try await send(next) }
                        if translator.stopped { break reading }
                    case .finished(let finished):
                        summary = finished
                    }
                }
            } catch {
                let apiError = ErrorMiddleware.apiError(for: error)
                try? await send(.error(type: AnthropicError.type(for: apiError.status), message: apiError.message))
                return
            }
            for next in translator.finish() { try await send(next) }
            try await send(
                .messageDelta(
                    stopReason: translator.stopReason(summary?.finishReason), stopSequence: translator.stopSequence,
                    usage: Self.usage(summary, run: run, output: translator.output)))
            try await send(.messageStop)
        }
    }

    /// Usage from the generation's summary; when a stop sequence cut it short (no summary),
    /// the prompt as sent and the output's tokens as the model's tokenizer counts them.
    private static func usage(_ summary: GenerationSummary?, run: Prepared, output: String) -> AnthropicUsage {
        guard let summary else {
            return AnthropicUsage(prompt: run.prompt.count, cached: 0, output: run.engine.tokenize(output, addSpecial: false).count)
        }
        return AnthropicUsage(prompt: summary.promptTokens, cached: summary.cachedPromptTokens, output: summary.completionTokens)
    }

    /// A `text/event-stream` of Anthropic's named events (no `[DONE]`: `message_stop` ends it).
    private static func eventStream(
        _ produce: @escaping @Sendable (_ send: (AnthropicStreamEvent) async throws -> Void) async throws -> Void
    ) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            try await produce { event in try await writer.write(event.serverSentEvent(encoder: encoder)) }
            try await writer.finish(nil)
        })
    }
}
