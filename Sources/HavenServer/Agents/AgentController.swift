import Foundation
import HavenAgents
import Hummingbird

/// `/haven/agents` (list, show, add) and `/haven/agents/{name}/chat`; `/haven/conversations`
/// (the caller's own: list, show, delete; and, for chats with a model that the client keeps,
/// start one and add messages).
struct AgentController {
    let environment: ServerEnvironment
    let service: AgentService

    func addRoutes(to group: RouterGroup<HavenRequestContext>) {
        group.get("agents") { _, context in
            _ = try context.requireAuthentication()
            let (agents, problems) = try environment.agents.all()
            return AgentList(agents: agents, problems: problems)
        }
        group.get("agents/:name") { _, context in
            _ = try context.requireAuthentication()
            return try environment.agents.agent(named: try context.parameters.require("name"))
        }
        group.post("agents") { request, context in
            _ = try context.requireOwner()
            let body = try await request.body.collect(upTo: 64 << 10)
            let replace = try QueryFlag.value("replace", in: request)
            let agent = try environment.agents.add(toml: String(buffer: body), replace: replace)
            return EditedResponse(status: .created, response: agent)
        }
        group.post("agents/:name/chat", use: chat)
        group.get("conversations") { _, context in
            let caller = try context.requireAuthentication()
            return ConversationList(conversations: try environment.catalog.conversations(of: caller.principal.description))
        }
        group.get("conversations/:id") { _, context in
            let caller = try context.requireAuthentication()
            return try environment.catalog.conversation(try context.parameters.require("id"), of: caller.principal.description)
        }
        group.post("conversations") { request, context in
            let caller = try context.requireAuthentication()
            let body = try await request.decode(as: NewConversationRequest.self, context: context)
            let model = body.model.trimmingCharacters(in: .whitespaces)
            guard (1...200).contains(model.count) else {
                throw APIError(.badRequest, code: "invalid_request", message: "model must name a model (1 to 200 characters)")
            }
            let conversation = try environment.catalog.createConversation(
                principal: caller.principal.description, model: model, title: body.title, at: Date())
            return EditedResponse(status: .created, response: conversation)
        }
        group.post("conversations/:id/messages") { request, context in
            let caller = try context.requireAuthentication()
            let body = try await request.decode(as: AppendMessagesRequest.self, context: context)
            guard (1...200).contains(body.messages.count) else {
                throw APIError(.badRequest, code: "invalid_request", message: "send 1 to 200 messages at a time")
            }
            try environment.catalog.append(
                body.messages, to: try context.parameters.require("id"), of: caller.principal.description, at: Date())
            return Response(status: .noContent)
        }
        group.delete("conversations/:id") { _, context in
            let caller = try context.requireAuthentication()
            try environment.catalog.deleteConversation(try context.parameters.require("id"), of: caller.principal.description)
            return Response(status: .noContent)
        }
    }

    /// What the streaming chat writes: a trace entry, or a keep-alive comment.
    enum StreamItem: Sendable {
        case entry(AgentTraceEntry)
        case heartbeat
    }

    static let heartbeatInterval = Duration.seconds(1)

    @Sendable func chat(_ request: Request, context: HavenRequestContext) async throws -> Response {
        let caller = try context.requireAuthentication()
        let name = try context.parameters.require("name")
        let body = try await request.decode(as: AgentChatRequest.self, context: context)
        guard !body.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError(.badRequest, code: "invalid_request", message: "message must not be empty")
        }
        // Unknown agents and conversations are refused before any stream starts.
        _ = try environment.agents.agent(named: name)
        if let id = body.conversationID { _ = try environment.catalog.conversation(id, of: caller.principal.description) }
        guard body.stream == true else {
            let turn = try await service.run(agent: name, input: body.message, conversation: body.conversationID, caller: caller)
            return try turn.response(from: request, context: context)
        }
        let service = self.service
        return ServerSentEvents.response { sender, writer in
            let (items, continuation) = AsyncStream.makeStream(of: StreamItem.self)
            let work = Task {
                defer { continuation.finish() }
                return try await service.run(
                    agent: name, input: body.message, conversation: body.conversationID, caller: caller,
                    onEvent: { continuation.yield(.entry(AgentTraceEntry($0))) })
            }
            // A comment line every second while the model thinks: a client that went away (the
            // web app's Stop button aborts its fetch) makes the write fail within a second, and
            // the run is cancelled with it instead of generating for no one.
            let heartbeat = Task {
                while !Task.isCancelled {
                    try await Task.sleep(for: Self.heartbeatInterval)
                    continuation.yield(.heartbeat)
                }
            }
            defer { heartbeat.cancel() }
            try await withTaskCancellationHandler {
                do {
                    for await item in items {
                        switch item {
                        case .entry(let entry) where entry.type != "answer": try await writer.write(sender.data(entry))
                        case .entry: break
                        case .heartbeat: try await writer.write(ServerSentEvents.comment)
                        }
                    }
                    let turn = try await work.value
                    try await writer.write(sender.data(turn))
                } catch {
                    work.cancel()
                    throw error
                }
            } onCancel: {
                work.cancel()
            }
        }
    }
}
