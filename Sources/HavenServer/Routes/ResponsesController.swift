import Foundation
import HavenAgents
import HavenInference
import Hummingbird

/// OpenAI's Responses API under `/v1`: `POST responses` (whole, or streamed as typed events)
/// and `GET responses/{id}`. A request is translated into a chat request and answered by the
/// chat path (``ChatRun``); stored responses are turns of a Haven conversation (the caller's
/// own, listed at `/haven/conversations`), which `previous_response_id` continues.
struct ResponsesController {
    let service: InferenceService

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.post("responses", use: create)
        group.get("responses/:id", use: show)
    }

    @Sendable func create(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let body = try await request.decode(as: ResponsesRequest.self, context: context)
        let principal = caller.principal.description

        var history: [AgentMessage] = []
        var knownCalls: [String: String] = [:]
        var previous: ResponseID?
        if let text = body.previousResponseID {
            let (id, messages) = try stored(text, of: principal)
            history = messages
            knownCalls = ResponsesTranslation.calls(of: messages[messages.count - 1], id: id)
            previous = id
        }
        let input = try ResponsesTranslation.messages(from: body.input, knownCalls: knownCalls)
        let call = try ChatCall(json: ResponsesTranslation.chatBody(body, conversation: history + input))
        let backend = try service.backend(for: body.model, caller: caller)
        let started = ResponseObject(
            id: "", createdAt: InferenceService.now, status: "in_progress", incompleteDetails: nil,
            instructions: body.instructions, maxOutputTokens: body.maxOutputTokens, model: body.model, output: [],
            previousResponseID: body.previousResponseID, temperature: body.temperature, topP: body.topP,
            toolChoice: ResponseToolChoice(body.toolChoice?.choice), tools: body.tools ?? [],
            text: body.text ?? .init(format: .init(type: "text")), usage: nil, store: body.store ?? true,
            metadata: body.metadata ?? [:])
        let catalog = service.catalog

        guard body.stream == true else {
            let whole = try await backend.answer(call)
            let id = try reserve(body, previous: previous, history: history, input: input, principal: principal)
            let answer = Self.message(whole)
            if started.store { try catalog.append([answer], to: id.conversation, at: Date()) }
            var opened = started
            opened.id = id.description
            return try Self.finished(opened, id: id, answer: answer, summary: Self.summary(whole))
                .response(from: request, context: context)
        }
        let stream = try await backend.chat(call)
        let id = try reserve(body, previous: previous, history: history, input: input, principal: principal)
        var opened = started
        opened.id = id.description
        return Self.eventStream { [opened] send in
            var events = ResponseEvents(id: id)
            try await send(events.lifecycle("response.created", opened))
            try await send(events.lifecycle("response.in_progress", opened))
            var whole = ChatAnswer()
            var calls = Set<Int>()
            for try await delta in stream.deltas {
                whole.add(delta)
                switch delta {
                case .content(0, let piece) where !piece.isEmpty:
                    try await send(events.handle(.text(piece)))
                case .toolCall(0, let call, _, let name, let arguments):
                    if calls.insert(call).inserted { try await send(events.handle(.callStarted(index: call, name: name ?? ""))) }
                    if !arguments.isEmpty { try await send(events.handle(.arguments(index: call, fragment: arguments))) }
                default:
                    continue
                }
            }
            try await send(events.closeItems())
            let answer = Self.message(whole)
            if opened.store { try catalog.append([answer], to: id.conversation, at: Date()) }
            let finished = Self.finished(opened, id: id, answer: answer, summary: Self.summary(whole))
            try await send(events.lifecycle(finished.status == "completed" ? "response.completed" : "response.incomplete", finished))
        }
    }

    /// The assistant's turn an answer makes: its first choice's text and calls.
    static func message(_ answer: ChatAnswer) -> AgentMessage {
        let choice = answer.choices.first ?? ChatAnswer.Choice()
        return AgentMessage(
            role: .assistant, content: choice.content, toolCalls: choice.calls.map { AgentToolCall(name: $0.name, arguments: $0.arguments) })
    }

    /// How the answer ended and what it took, as a local generation reports it.
    static func summary(_ answer: ChatAnswer) -> GenerationSummary {
        GenerationSummary(
            finishReason: answer.choices.first?.finishReason == "length" ? .length : .stop, promptTokens: answer.promptTokens,
            completionTokens: answer.completionTokens, cachedPromptTokens: answer.cachedTokens)
    }

    @Sendable func show(_ request: Request, context: HavenRequestContext) async throws -> ResponseObject {
        let caller = try context.requireAuthentication()
        let (id, messages) = try stored(try context.parameters.require("id"), of: caller.principal.description)
        let conversation = try service.catalog.conversation(id.conversation, of: caller.principal.description)
        let answer = messages[messages.count - 1]
        return ResponseObject(
            id: id.description, createdAt: Int(conversation.createdAt.timeIntervalSince1970), status: "completed",
            incompleteDetails: nil, instructions: nil, maxOutputTokens: nil, model: conversation.model ?? "",
            output: ResponsesTranslation.output(of: answer, id: id), previousResponseID: nil, temperature: nil, topP: nil,
            toolChoice: .mode("auto"), tools: [], text: .init(format: .init(type: "text")), usage: nil, store: true,
            metadata: [:])
    }

    /// The messages of a stored response of `principal`, up to and including its answer.
    private func stored(_ text: String, of principal: String) throws -> (ResponseID, [AgentMessage]) {
        let notFound = APIError(
            .notFound, code: "response_not_found",
            message: "no response '\(text)' of yours is stored; responses are kept when made with store (the default), "
                + "and only the one who made a response may read or continue it")
        guard let id = ResponseID(text) else { throw notFound }
        let conversation: Conversation
        do {
            conversation = try service.catalog.conversation(id.conversation, of: principal)
        } catch AgentError.conversationNotFound(_) {
            throw notFound
        }
        let messages = conversation.messages ?? []
        guard id.messageCount <= messages.count, messages[id.messageCount - 1].role == .assistant else { throw notFound }
        return (id, Array(messages.prefix(id.messageCount)))
    }

    /// The id the new response will have, with its input kept: the next turn of the
    /// conversation it continues while that response is the conversation's last turn, else
    /// a new conversation holding the history it continues.
    private func reserve(
        _ body: ResponsesRequest, previous: ResponseID?, history: [AgentMessage], input: [AgentMessage], principal: String
    ) throws -> ResponseID {
        let count = history.count + input.count + 1
        guard body.store ?? true else { return .unstored(messageCount: count) }
        let catalog = service.catalog
        let now = Date()
        if let previous,
            try catalog.append(input, to: previous.conversation, of: principal, ifCount: previous.messageCount, at: now)
        {
            return ResponseID(conversation: previous.conversation, messageCount: count)
        }
        let title = (history + input).first { $0.role == .user }?.content ?? "Response"
        let conversation = try catalog.createConversation(principal: principal, model: body.model, title: title, at: now)
        try catalog.append(history + input, to: conversation.id, at: now)
        return ResponseID(conversation: conversation.id, messageCount: count)
    }

    /// The response once its answer is known.
    static func finished(
        _ started: ResponseObject, id: ResponseID, answer: AgentMessage, summary: GenerationSummary
    ) -> ResponseObject {
        var response = started
        let complete = summary.finishReason == .stop
        response.status = complete ? "completed" : "incomplete"
        response.incompleteDetails = complete ? nil : .init(reason: "max_output_tokens")
        response.output = ResponsesTranslation.output(of: answer, id: id, status: complete ? "completed" : "incomplete")
        response.usage = ResponseUsage(ChatRun.usage([summary]))
        return response
    }

    /// A `text/event-stream` of Responses events, `event: <type>` and `data: <json>` each;
    /// `produce` hands over the events in order.
    static func eventStream(
        _ produce: @escaping @Sendable (_ send: ([ResponseStreamEvent]) async throws -> Void) async throws -> Void
    ) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            let encoder = JSONEncoder()
            encoder.outputFormatting = .withoutEscapingSlashes
            try await produce { events in
                for event in events {
                    let json = String(decoding: try encoder.encode(event), as: UTF8.self)
                    try await writer.write(ByteBuffer(string: "event: \(event.type)\ndata: \(json)\n\n"))
                }
            }
            try await writer.finish(nil)
        })
    }
}
