import Foundation
import HavenInference
import Hummingbird

/// Anthropic's Messages API under `/v1`: `POST /v1/messages`, answered whole or as Anthropic's
/// event stream, and `POST /v1/messages/count_tokens`. A request is translated
/// (``AnthropicTranslation``) into the chat every API shares: the model's own defaults if it
/// was made with `/api/create`, the caller's `infer` right on the model, and the model's
/// ``InferenceBackend``. Callers authenticate with `x-api-key` or a bearer token; errors come in Anthropic's
/// shape (``AnthropicErrorMiddleware``).
struct AnthropicController {
    let service: InferenceService

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.post("messages", use: messages)
        group.post("messages/count_tokens", use: countTokens)
    }

    /// A request translated and put to its model's backend, not yet run.
    private struct Prepared {
        let call: ChatCall
        let backend: any InferenceBackend
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
        let call = try ChatCall(json: json)
        _ = try ChatPlan(call.request)  // a request no backend could run is refused before anything starts
        return Prepared(call: call, backend: try service.backend(for: body.model, caller: caller), stops: stops)
    }

    @Sendable func countTokens(_ request: Request, context: HavenRequestContext) async throws -> AnthropicTokenCount {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: AnthropicMessagesRequest.self, context: context)
        let prepared = try await prepare(body, caller: caller, requireMaxTokens: false)
        return AnthropicTokenCount(inputTokens: try await prepared.backend.promptTokens(prepared.call))
    }

    @Sendable func messages(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: AnthropicMessagesRequest.self, context: context)
        let run = try await prepare(body, caller: caller, requireMaxTokens: true)
        let stream = try await run.backend.chat(run.call)
        let id = AnthropicTranslation.messageID()
        let model = body.model

        guard body.stream == true else {
            var scanner = StopSequenceScanner(stops: run.stops)
            var text = ""
            var whole = ChatAnswer()
            var pieces = 0
            var ended = false
            var stopSequence: String?
            reading: for try await delta in stream.deltas {
                switch delta {
                case .content(0, let piece):
                    pieces += 1
                    let (visible, matched) = scanner.append(piece)
                    text += visible
                    if let matched {
                        stopSequence = matched
                        break reading  // dropping the stream ends the generation
                    }
                case .finished(0, _):
                    ended = true
                    whole.add(delta)
                case .toolCall(0, _, _, _, _), .usage:
                    whole.add(delta)
                default:
                    continue
                }
            }
            guard ended || stopSequence != nil else { throw InferenceError.generationIncomplete }
            if stopSequence == nil { text += scanner.flush() }
            let calls = whole.choices.first?.calls ?? []
            let content = AnthropicTranslation.content(text: text, calls: calls)
            let madeCalls = content.contains { if case .toolUse = $0 { true } else { false } }
            let reason = stopSequence == nil ? Self.finishReason(whole) : nil
            let message = AnthropicMessage(
                id: id, model: model, content: content,
                stopReason: AnthropicTranslation.stopReason(reason, stopSequence: stopSequence, madeCalls: madeCalls),
                stopSequence: stopSequence,
                usage: await Self.usage(
                    stopSequence == nil ? whole : nil, stream: stream, backend: run.backend, output: text + (stopSequence ?? ""),
                    pieces: pieces))
            return try message.response(from: request, context: context)
        }

        let stops = run.stops
        let backend = run.backend
        return Self.eventStream { send in
            try await send(.messageStart(id: id, model: model, inputTokens: stream.promptTokens ?? 0))
            try await send(.ping)
            var translator = AnthropicStreamTranslator(stops: stops, tools: false)
            var whole = ChatAnswer()
            var calls = Set<Int>()
            var pieces = 0
            do {
                reading: for try await delta in stream.deltas {
                    switch delta {
                    case .content(0, let piece):
                        pieces += 1
                        for next in translator.append(piece) { try await send(next) }
                        if translator.stopped { break reading }
                    case .toolCall(0, let call, _, let name, let arguments):
                        if calls.insert(call).inserted {
                            for next in translator.call(.callStarted(index: call, name: name ?? "")) { try await send(next) }
                        }
                        if !arguments.isEmpty {
                            for next in translator.call(.arguments(index: call, fragment: arguments)) { try await send(next) }
                        }
                    case .finished(0, _), .usage:
                        whole.add(delta)
                    default:
                        continue
                    }
                }
            } catch {
                let apiError = ErrorMiddleware.apiError(for: error)
                try? await send(.error(type: AnthropicError.type(for: apiError.status), message: apiError.message))
                return
            }
            for next in translator.finish() { try await send(next) }
            let stopped = translator.stopped
            try await send(
                .messageDelta(
                    stopReason: translator.stopReason(stopped ? nil : Self.finishReason(whole)), stopSequence: translator.stopSequence,
                    usage: await Self.usage(stopped ? nil : whole, stream: stream, backend: backend, output: translator.output, pieces: pieces)))
            try await send(.messageStop)
        }
    }

    /// Why the first choice ended, as a local generation says it.
    private static func finishReason(_ answer: ChatAnswer) -> FinishReason {
        answer.choices.first?.finishReason == "length" ? .length : .stop
    }

    /// Usage from the answer's counts; when a stop sequence cut it short (no counts came), the
    /// prompt as sent and the output's tokens as the model's tokenizer counts them (or, on a
    /// backend that cannot count here, the pieces of text that came, one token each).
    private static func usage(
        _ answer: ChatAnswer?, stream: ChatStream, backend: any InferenceBackend, output: String, pieces: Int
    ) async -> AnthropicUsage {
        guard let answer else {
            let tokens = await backend.tokenCount(of: output) ?? pieces
            return AnthropicUsage(prompt: stream.promptTokens ?? 0, cached: 0, output: tokens)
        }
        return AnthropicUsage(prompt: answer.promptTokens, cached: answer.cachedTokens, output: answer.completionTokens)
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
